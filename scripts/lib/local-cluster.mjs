// Starts the control plane under `wrangler dev` over HTTPS with a persisted
// state folder, and writes a kubeconfig for it. Used by `npm start` and by
// the end-to-end tests, so both run the control plane the same way.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { request } from "node:https";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCertificates } from "./tls.mjs";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * The admin token and the Secrets key-encryption key live in the state
 * folder's env file, created on first start; a file from before Secrets were
 * encrypted gets its key added (the control plane refuses to run without one).
 */
export function ensureAdminToken(stateDir) {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, "dev.vars");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "";
  let token = /^ADMIN_TOKEN=(.+)$/m.exec(text)?.[1].trim();
  if (!token) {
    token = randomBytes(24).toString("base64url");
    text = `ADMIN_TOKEN=${token}\n` + text;
  }
  if (!/^SECRETS_KEK=/m.test(text)) text += `${text && !text.endsWith("\n") ? "\n" : ""}SECRETS_KEK=${randomBytes(32).toString("base64")}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  return { token, file };
}

export function writeKubeconfig(path, { server, caFile, token, name = "kubeflare" }) {
  mkdirSync(dirname(path), { recursive: true });
  const ca = readFileSync(caFile).toString("base64");
  writeFileSync(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: ${name}`,
      "  cluster:",
      `    server: ${server}`,
      `    certificate-authority-data: ${ca}`,
      "users:",
      `- name: ${name}-admin`,
      "  user:",
      `    token: ${token}`,
      "contexts:",
      `- name: ${name}`,
      "  context:",
      `    cluster: ${name}`,
      `    user: ${name}-admin`,
      "    namespace: default",
      `current-context: ${name}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}

export function httpsGet(url, { ca, token, timeoutMs = 2000 } = {}) {
  return new Promise((res, rej) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: timeoutMs }, (r) => {
      let body = "";
      r.on("data", (d) => (body += d));
      r.on("end", () => res({ status: r.statusCode, body }));
    });
    req.on("error", rej);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** How often a long wait is reported: often enough to show life, rarely enough not to flood. */
export const WAIT_REPORT_MS = 3000;

/**
 * Starts `wrangler dev` and resolves once /healthz answers. `vars` are extra
 * Worker vars ({ NAME: "value" }) on top of wrangler.toml's; `logLevel` "log"
 * also passes the Worker's console.log lines to `log`. `onWait(seconds)` is
 * called every few seconds while /healthz does not answer yet, so a person
 * watching `npm start` sees what it is waiting for.
 * Returns { url, port, token, ca, caFile, kubeconfig, process, stop() }.
 */
export async function startControlPlane({ stateDir, port, kubeconfig, log = () => {}, quiet = true, logLevel, vars = {}, onWait } = {}) {
  stateDir = resolve(stateDir ?? join(projectRoot, ".state"));
  port = port ?? (await freePort());
  const tls = ensureCertificates(join(stateDir, "tls"));
  const { token, file: envFile } = ensureAdminToken(stateDir);
  const url = `https://127.0.0.1:${port}`;
  kubeconfig = kubeconfig ?? join(stateDir, "kubeconfig");
  writeKubeconfig(kubeconfig, { server: url, caFile: tls.ca, token });
  const inspectorPort = await freePort();
  const args = [
    join(projectRoot, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--config", join(projectRoot, "wrangler.toml"),
    "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--local-protocol", "https", "--https-key-path", tls.key, "--https-cert-path", tls.cert,
    "--persist-to", join(stateDir, "wrangler"),
    "--env-file", envFile,
    "--show-interactive-dev-session=false",
    "--log-level", logLevel ?? (quiet ? "warn" : "info"),
    // Worker vars for this run only (e.g. the scheduler benchmark's baseline switch).
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  liveGroups.add(child.pid);
  child.once("exit", () => liveGroups.delete(child.pid));
  let output = "";
  const collect = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
    log(String(d));
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const ca = readFileSync(tls.ca);
  const started = Date.now();
  const deadline = started + 90_000;
  let nextWait = started + WAIT_REPORT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    try {
      const r = await httpsGet(`${url}/healthz`, { ca });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stopProcessTree(child);
      throw new Error(`wrangler dev did not become healthy within 90 s:\n${output.slice(-4000)}`);
    }
    if (onWait && Date.now() >= nextWait) {
      onWait(Math.round((Date.now() - started) / 1000));
      nextWait += WAIT_REPORT_MS;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    token,
    ca,
    caFile: tls.ca,
    kubeconfig,
    stateDir,
    process: child,
    output: () => output,
    stop: () => stopProcessTree(child),
  };
}

// wrangler runs detached (its own process group, so it can be stopped whole);
// if this process ends without stopping it (a killed test run), take the
// groups down too, or their workerd keeps running, and burning CPU, forever.
const liveGroups = new Set();
process.once("exit", () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** wrangler runs workerd as a child: stop the whole process group. */
export async function stopProcessTree(child, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
