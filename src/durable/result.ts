/**
 * Durable Object RPC carries plain data, not Error subclasses, so store
 * methods return a Result and the API layer rethrows the Status as a KubeError.
 */
import { KubeError, fromStatus } from "../errors.js";
import type { Status } from "../schema/meta.js";

export type Result<T> = { ok: true; value: T; code?: number } | { ok: false; status: Status };

export async function capture<T>(fn: () => T | Promise<T>, code?: number): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn(), code };
  } catch (e) {
    if (e instanceof KubeError) return { ok: false, status: e.toStatus() };
    throw e;
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw fromStatus(r.status);
}
