/**
 * End-to-end harness: a real `wrangler dev` (HTTPS, persisted state in a temp
 * folder) and the real kubectl pointed at it through a generated kubeconfig.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startControlPlane as start, httpsGet } from "../../scripts/lib/local-cluster.mjs";
import { requireTool } from "./require.js";

export interface ControlPlane {
  url: string;
  port: number;
  token: string;
  ca: Buffer;
  caFile: string;
  kubeconfig: string;
  stateDir: string;
  stop(): Promise<void>;
  output(): string;
}

/** `vars` are extra Worker vars for this run, e.g. a short NODE_MONITOR_GRACE_SECONDS for fault tests. */
export async function startControlPlane(
  opts: { stateDir?: string; port?: number; vars?: Record<string, string> } = {},
): Promise<ControlPlane> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "kubeflare-e2e-"));
  return start({ stateDir, port: opts.port, vars: opts.vars });
}

export function removeState(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlFor(cp: { kubeconfig: string; stateDir: string }) {
  requireTool("kubectl");
  const cacheDir = join(cp.stateDir, "kube-cache");
  const env = { ...process.env, KUBECONFIG: cp.kubeconfig, HOME: cp.stateDir };
  const run = (args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        "kubectl",
        ["--cache-dir", cacheDir, ...args],
        { env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) {
        child.stdin!.write(input);
        child.stdin!.end();
      }
    });
  /** Runs kubectl and fails with its output when it exits non-zero. */
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  };
  /** Starts a long-running kubectl (e.g. `get -w`, `logs -f`). */
  const spawnKubectl = (args: string[]): ChildProcess => spawn("kubectl", ["--cache-dir", cacheDir, ...args], { env });
  return { run, ok, spawn: spawnKubectl };
}

/** A raw HTTPS request to the control plane (for cases kubectl cannot express). */
export async function api(
  cp: ControlPlane,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = request(
      `${cp.url}${path}`,
      {
        method,
        ca: cp.ca,
        headers: {
          authorization: `Bearer ${cp.token}`,
          ...(payload !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: any;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: new Headers(res.headers as Record<string, string>) });
        });
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export { httpsGet };

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
