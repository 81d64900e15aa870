/**
 * One error type for the whole control plane. Anything that fails for a
 * reason a client should see throws a KubeError; `toStatus` is the only place
 * that turns it into the `Status` body kubectl prints.
 */
import type { Status } from "./schema/meta.js";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout";

export interface Cause {
  [k: string]: unknown;
  reason?: string;
  message?: string;
  field?: string;
}

export interface Details {
  [k: string]: unknown;
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Cause[];
  retryAfterSeconds?: number;
}

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Details,
  ) {
    super(message);
  }

  toStatus(): Status {
    return statusOf(this.code, this.reason, this.message, this.details);
  }
}

export function statusOf(code: number, reason: string, message: string, details?: Details): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) s.details = details;
  return s;
}

/** Rebuilds a KubeError from a Status that crossed a Durable Object boundary. */
export function fromStatus(s: Status): KubeError {
  return new KubeError(s.code ?? 500, (s.reason as StatusReason) ?? "InternalError", s.message ?? "", s.details);
}

/** `resource` is the qualified plural, e.g. "deployments.apps". */
export const notFound = (resource: string, name: string) =>
  new KubeError(404, "NotFound", `${resource} "${name}" not found`, { name, kind: baseName(resource), group: groupOf(resource) });

export const alreadyExists = (resource: string, name: string) =>
  new KubeError(409, "AlreadyExists", `${resource} "${name}" already exists`, {
    name,
    kind: baseName(resource),
    group: groupOf(resource),
  });

export const conflict = (resource: string, name: string, why: string) =>
  new KubeError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${resource} "${name}": ${why}`,
    { name, kind: baseName(resource), group: groupOf(resource) },
  );

export const badRequest = (message: string, causes?: Cause[]) =>
  new KubeError(400, "BadRequest", message, causes ? { causes } : undefined);

/** 422 with one cause per offending field, the shape `kubectl apply` prints. */
export function invalid(kind: string, name: string, causes: Cause[], group = ""): KubeError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ");
  const summary = causes.length > 1 ? `[${list}]` : list;
  return new KubeError(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? "FieldValueInvalid", message: c.message, field: c.field })),
  });
}

export const required = (field: string): Cause => ({ reason: "FieldValueRequired", message: "Required value", field });

const baseName = (resource: string) => resource.split(".")[0];
const groupOf = (resource: string) => resource.split(".").slice(1).join(".") || undefined;
