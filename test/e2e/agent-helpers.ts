/** Shared by the agent's Docker tests: waiting, docker CLI checks, cleanup. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

type Truthy<T> = Exclude<T, false | null | undefined | "" | 0>;

/**
 * Polls `probe` until it returns something truthy. The bound only keeps a
 * broken run from hanging; nothing asserts on how long it took.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 60_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as Truthy<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last saw: ${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run("docker", args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export async function dockerInspect(id: string): Promise<any> {
  return JSON.parse(await docker("inspect", id))[0];
}

/** Ids of containers carrying all the labels (all states). */
export async function containersWithLabel(...labels: string[]): Promise<string[]> {
  const out = await docker("ps", "-aq", "--no-trunc", ...labels.flatMap((label) => ["--filter", `label=${label}`]));
  return out ? out.split("\n") : [];
}

/** `docker inspect -f`, or undefined when the container went away meanwhile. */
export async function inspectField(id: string, format: string): Promise<string | undefined> {
  return docker("inspect", "-f", format, id).catch(() => undefined);
}

/** Removes everything a test's node created. */
export async function removeNodeContainers(nodeName: string): Promise<void> {
  const ids = await containersWithLabel(`io.kubeflare.node=${nodeName}`);
  if (ids.length) await docker("rm", "-f", "-v", ...ids);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
