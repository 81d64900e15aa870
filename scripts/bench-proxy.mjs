// `npm run bench:proxy`: what the agent's service proxy costs. A local
// `wrangler dev` control plane and one real agent (the built bundle) run a
// one-replica busybox httpd Deployment behind a NodePort Service and an
// Ingress; next to it the same image runs as a plain container with a
// published port. The same closed-loop load (CONCURRENCY clients, a fresh
// connection per request, as busybox httpd closes after each answer) is sent
// in alternating rounds to:
//   direct   127.0.0.1:<published port>      (Docker's port forward)
//   nodeport 127.0.0.1:<nodePort>            (agent proxy → pod)
//   ingress  <node address>:<ingress port>   (agent HTTP proxy → pod)
// and requests per second and p99 latency are reported as ratios to direct.
// Goals: ≥ 70 % of direct throughput, p99 at most 2 ms above direct.
// Bounded: ROUNDS × 3 phases × ROUND_S seconds. Everything created is removed.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { freePort, projectRoot, startControlPlane } from "./lib/local-cluster.mjs";
import { fmt, pct, printTable } from "./lib/bench-report.mjs";
import { summarize } from "./lib/bench-http.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const IMAGE = "kubeflare/busybox:test";
const RUN = randomBytes(3).toString("hex");
const NODE = `bench-proxy-${RUN}`;
const NS = `bench-proxy-${RUN}`;
const DIRECT = `bench-proxy-direct-${RUN}`;
const SERVICE_CIDR = `10.${200 + (parseInt(RUN, 16) % 50)}.${parseInt(RUN.slice(0, 2), 16)}.0/24`;
const GOALS = { throughput: 0.7, addedP99Ms: 2 };

const started = performance.now();
const log = (msg) => console.log(`» [${fmt((performance.now() - started) / 1000, 0)} s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One GET on a fresh connection; resolves with ms to the last byte, or throws. */
function timedGet(port, host) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, headers: host ? { Host: host } : {} }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** CONCURRENCY clients in a closed loop for `seconds`. */
async function load(port, host, seconds) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        try {
          latencies.push(await timedGet(port, host));
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - t0) / 1000 };
}

/** Whether the agent's nat rules forward `port` (read from iptables-save). */
function kernelForwards(port) {
  try {
    return new RegExp(`-A KF-SVC-\\S+ .*--dport ${port} `).test(execFileSync("iptables-save", ["-t", "nat"], { encoding: "utf8" }));
  } catch {
    return false;
  }
}

function kubectl(cp, args, input) {
  return execFileSync("kubectl", ["--kubeconfig", cp.kubeconfig, ...args], { input, encoding: "utf8", timeout: 60_000 });
}

const manifests = (ingressHost) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: ${IMAGE}
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
        readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ${NS}}
spec:
  rules:
  - host: ${ingressHost}
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`;

async function waitFor(what, fn, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function main() {
  execFileSync("docker", ["image", "inspect", IMAGE], { stdio: "ignore" }); // built by the e2e tests (test/support/images.ts)
  execFileSync(process.execPath, [join(projectRoot, "agent", "build.mjs")], { stdio: "ignore" });
  const stateDir = mkdtempSync(join(tmpdir(), "bench-proxy-"));
  const cleanups = [() => rmSync(stateDir, { recursive: true, force: true })];
  try {
    const cp = await startControlPlane({ stateDir, vars: { SERVICE_CIDR } });
    cleanups.unshift(() => cp.stop());
    log(`control plane at ${cp.url}`);
    const ingressPort = await freePort();
    const agentState = join(stateDir, "agent");
    mkdirSync(agentState, { recursive: true });
    // BENCH_AGENT_PROFILE=dir writes the agent's CPU profile there, to see where proxy time goes.
    const profile = process.env.BENCH_AGENT_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_AGENT_PROFILE}`] : [];
    const agent = spawn(
      process.execPath,
      [...profile, join(projectRoot, "agent/bin/agent.mjs"), "run", "--server", cp.url, "--token", cp.token, "--ca-file", cp.caFile, "--name", NODE,
        "--state-dir", agentState, "--node-ip", "127.0.0.1", "--relay-port", "0", "--service-cidr", SERVICE_CIDR,
        "--ingress-http-port", String(ingressPort), "--ingress-https-port", String(await freePort())],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let agentLog = "";
    agent.stderr.on("data", (d) => (agentLog = (agentLog + d).slice(-20_000)));
    cleanups.unshift(async () => {
      agent.kill("SIGTERM");
      await new Promise((r) => (agent.exitCode !== null ? r() : agent.once("exit", r)));
      const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=io.kubeflare.node=${NODE}`], { encoding: "utf8" }).split("\n").filter(Boolean);
      if (ids.length) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
    });

    const directPort = await freePort();
    execFileSync("docker", ["run", "-d", "--name", DIRECT, "-p", `127.0.0.1:${directPort}:80`, IMAGE, "sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"], { stdio: "ignore" });
    cleanups.unshift(() => execFileSync("docker", ["rm", "-f", DIRECT], { stdio: "ignore" }));

    const host = `web.${RUN}.bench.test`;
    await waitFor("node", () => kubectl(cp, ["get", "node", NODE, "-o", "name"]));
    kubectl(cp, ["apply", "-f", "-"], manifests(host));
    const nodePort = JSON.parse(kubectl(cp, ["get", "service", "web", "-n", NS, "-o", "json"])).spec.ports[0].nodePort;
    // BENCH_PATHS=direct,ingress measures a subset (direct is always kept: it is the baseline).
    const only = new Set(["direct", ...(process.env.BENCH_PATHS ?? "nodeport,ingress").split(",")]);
    const targets = Object.fromEntries(
      Object.entries({ direct: { port: directPort }, nodeport: { port: nodePort }, ingress: { port: ingressPort, host } }).filter(([name]) => only.has(name)),
    );
    for (const [name, t] of Object.entries(targets)) {
      await waitFor(`${name} path`, () => timedGet(t.port, t.host).then(() => true)).catch((e) => {
        throw new Error(`${e.message}\nagent log:\n${agentLog.slice(-3000)}`);
      });
    }
    // Which path the NodePort takes: the agent's in-kernel rules (its default) or its userspace proxy (KUBEFLARE_PROXY_MODE=userspace).
    const kernelPath = /forwarded in the kernel/.test(agentLog) && kernelForwards(nodePort);
    log(`ready: direct :${directPort}, NodePort :${nodePort} (${kernelPath ? "in-kernel forwarding" : "userspace proxy"}), Ingress :${ingressPort}; ${ROUNDS} rounds × ${ROUND_S} s, ${CONCURRENCY} clients`);

    for (const t of Object.values(targets)) await load(t.port, t.host, 1); // warm-up
    const totals = Object.fromEntries(Object.keys(targets).map((k) => [k, { latencies: [], errors: 0, seconds: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, t] of Object.entries(targets)) {
        const r = await load(t.port, t.host, ROUND_S);
        totals[name].latencies.push(...r.latencies);
        totals[name].errors += r.errors;
        totals[name].seconds += r.seconds;
        log(`round ${round + 1} ${name}: ${fmt(r.latencies.length / r.seconds, 0)} req/s, ${r.errors} errors`);
      }
    }

    const figures = Object.fromEntries(
      Object.entries(totals).map(([name, t]) => [name, { rps: t.latencies.length / t.seconds, errors: t.errors, ...summarize(t.latencies) }]),
    );
    const base = figures.direct;
    const rows = [["path", "req/s", "vs direct", "p50 ms", "p99 ms", "added p99 ms", "errors"]];
    for (const [name, f] of Object.entries(figures)) {
      rows.push([name, fmt(f.rps, 0), pct(f.rps / base.rps), fmt(f.p50, 2), fmt(f.p99, 2), name === "direct" ? "—" : fmt(f.p99 - base.p99, 2), String(f.errors)]);
    }
    printTable(rows);
    console.log();
    for (const name of ["nodeport", "ingress"].filter((path) => figures[path])) {
      const f = figures[name];
      const ok = f.rps / base.rps >= GOALS.throughput && f.p99 - base.p99 <= GOALS.addedP99Ms;
      console.log(`${name}: ${ok ? "meets" : "MISSES"} the goal (≥ ${pct(GOALS.throughput)} of direct throughput, p99 ≤ direct + ${GOALS.addedP99Ms} ms)`);
    }
  } finally {
    for (const fn of cleanups) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
