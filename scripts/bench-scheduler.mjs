// `npm run bench:scheduler`: how fast the scheduler binds pods under a local
// `wrangler dev`, at 500 and 2,000 simulated nodes, each figure also as a
// ratio to a baseline control plane (Worker var SCHEDULER_BASELINE=1) whose
// scheduling round places pods round-robin instead of filtering and scoring.
//
// Per node count and mode, on a fresh control plane:
//   1. N simulated nodes (Ready, 32 CPUs, 110 pods; no kubelet, so the node
//      monitor grace period is raised to an hour instead of renewing Leases);
//   2. a 1,000-replica Deployment (10m CPU each): POST to every pod bound;
//   3. N "blocker" pods, one per node, each requesting 31.5 of its 32 CPUs;
//   4. 10,000 pods of 1 CPU in namespace "bench": all pending, none fits;
//   5. one DELETE of every blocker frees all nodes at once; the clock runs
//      from its answer to the last of the 10,000 binds seen on a watch.
// A node count has to be freed at once, with every node known, for "pods
// bound per second at N nodes" to mean anything: nodes created one by one
// would each take pods as they arrive. The baseline still reserves through
// the capacity ledger, which is what keeps its pods pending in step 4.
// Alarm runs are timed inside the Worker (LOG_ALARM_RUNS=1). Binding stops
// being waited for after BENCH_BIND_CAP_S (30 s) and the rate so far is
// reported as partial. Missing a goal is reported, never fatal; the exit
// code is non-zero only when a step fails.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startControlPlane } from "./lib/local-cluster.mjs";
import { cpuBetween, cpuSnapshot } from "./lib/bench-cpu.mjs";
import { keepAliveAgent, openWatch, percentile, runPool, timedRequest } from "./lib/bench-http.mjs";

const NODE_COUNTS = (process.env.BENCH_NODES ?? "500,2000").split(",").map(Number);
const PENDING = Number(process.env.BENCH_PENDING ?? 10_000);
const REPLICAS = 1_000;
const CONCURRENCY = 32;
const SETUP_TIMEOUT_MS = 120_000;
const BIND_CAP_MS = Number(process.env.BENCH_BIND_CAP_S ?? 30) * 1000;
const RUN_BUDGET_MS = 9 * 60_000;
const MODES = [
  { name: "scheduler", vars: {} },
  { name: "baseline", vars: { SCHEDULER_BASELINE: "1" } },
];
const GOAL_PODS_PER_S = 2000;
const GOAL_ALARM_MS = 1000;

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
const log = (msg) => console.log(`» ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nodeName = (i) => `sim-${String(i).padStart(5, "0")}`;
const requests = (cpu, memory) => ({ resources: { requests: { cpu, memory } } });

function nodeManifest(name) {
  const now = new Date().toISOString();
  const resources = { cpu: "32", memory: "128Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux" } },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  };
}
const podManifest = (name, app, cpu, memory) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app } },
  spec: { containers: [{ name: "main", image: "busybox:1.36", ...requests(cpu, memory) }] },
});
const deploymentManifest = (name) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: podManifest("", name, "10m", "16Mi").spec },
  },
});

/**
 * Counts pods of a namespace as the watch first shows them bound, with the
 * time each bind arrived. Reopens from the last resourceVersion if the
 * server ends the stream.
 */
async function bindWatch(cp, namespace, counts = () => true) {
  const boundAt = new Map();
  const waiters = [];
  let rv;
  let handle;
  let closed = false;
  const open = async () => {
    handle = await openWatch({
      url: cp.url,
      ca: cp.ca,
      token: cp.token,
      path: `/api/v1/namespaces/${namespace}/pods?watch=true${rv ? `&resourceVersion=${rv}` : ""}`,
      onEvent: (e, at) => {
        if (e.type === "ERROR") throw new Error(`watch ${namespace}: ${JSON.stringify(e.object).slice(0, 300)}`);
        rv = e.object?.metadata?.resourceVersion ?? rv;
        const name = e.object?.metadata?.name;
        if (!e.object?.spec?.nodeName || boundAt.has(name) || !counts(name)) return;
        boundAt.set(name, at);
        for (const w of waiters) if (boundAt.size >= w.n) w.resolve();
      },
      onEnd: () => !closed && open().catch((err) => console.error(`watch ${namespace} reopen failed: ${err.message}`)),
      onError: (err) => !closed && console.error(`watch ${namespace}: ${err.message}`),
    });
  };
  await open();
  return {
    boundAt,
    /** Resolves true once `n` pods are bound, false after `timeoutMs`. */
    until: (n, timeoutMs) =>
      boundAt.size >= n
        ? Promise.resolve(true)
        : Promise.race([new Promise((resolve) => waiters.push({ n, resolve: () => resolve(true) })), sleep(timeoutMs).then(() => false)]),
    close: () => {
      closed = true;
      handle?.close();
    },
  };
}

/** One control plane, one mode, one node count: the steps above. */
async function scenario({ nodes, mode }) {
  const stateDir = mkdtempSync(join(tmpdir(), "kubeflare-bench-sched-"));
  const alarmRuns = [];
  let lineBuf = "";
  const parseLog = (chunk) => {
    lineBuf += chunk;
    let nl;
    while ((nl = lineBuf.indexOf("\n")) >= 0) {
      const m = /alarm run: (\d+) ms, (\d+) keys, (\S+)/.exec(lineBuf.slice(0, nl));
      lineBuf = lineBuf.slice(nl + 1);
      if (m) alarmRuns.push({ at: performance.now(), ms: Number(m[1]), keys: Number(m[2]), store: m[3] });
    }
  };
  const t0 = performance.now();
  const cp = await startControlPlane({
    stateDir,
    logLevel: "log",
    log: parseLog,
    vars: { ...mode.vars, LOG_ALARM_RUNS: "1", NODE_MONITOR_GRACE_SECONDS: "3600" },
  });
  running = cp;
  const watches = [];
  const r = { nodes, mode: mode.name };
  try {
    log(`${mode.name}, ${nodes} nodes: wrangler dev up after ${fmt((performance.now() - t0) / 1000)} s`);
    const agent = keepAliveAgent({ ca: cp.ca, maxSockets: CONCURRENCY });
    const call = (opts) => timedRequest({ url: cp.url, token: cp.token, agent, ...opts });
    const must = async (what, opts) => {
      const res = await call(opts);
      if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${res.status} ${res.body.toString("utf8").slice(0, 300)}`);
      return res;
    };
    const pool = async (what, count, job) => {
      const p = await runPool({ count, concurrency: CONCURRENCY, job });
      if (p.errors.length) throw new Error(`${what}: ${p.errors.length} failed, first: ${JSON.stringify(p.errors[0])}`);
      return p;
    };
    const namespace = async (name) => {
      await must(`namespace ${name}`, { method: "POST", path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
      const w = await bindWatch(cp, name, (pod) => pod !== "kick");
      watches.push(w);
      return w;
    };

    const created = await pool("nodes", nodes, (i) => call({ method: "POST", path: "/api/v1/nodes", body: nodeManifest(nodeName(i)) }));
    r.nodesPerS = created.throughput;

    const web = await namespace("web");
    const alarmsFromDeploy = alarmRuns.length;
    const post = await must("deployment", { method: "POST", path: "/apis/apps/v1/namespaces/web/deployments", body: deploymentManifest("web") });
    if (!(await web.until(REPLICAS, SETUP_TIMEOUT_MS))) throw new Error(`only ${web.boundAt.size} of ${REPLICAS} replicas bound`);
    r.deploySeconds = (Math.max(...web.boundAt.values()) - post.start) / 1000;
    r.deployAlarms = alarmRuns.slice(alarmsFromDeploy);

    const hold = await namespace("hold");
    await pool("blockers", nodes, (i) =>
      call({ method: "POST", path: "/api/v1/namespaces/hold/pods", body: podManifest(`blocker-${i}`, "blocker", "31500m", "1Gi") }),
    );
    if (!(await hold.until(nodes, SETUP_TIMEOUT_MS))) throw new Error(`only ${hold.boundAt.size} of ${nodes} blockers bound`);

    const bench = await namespace("bench");
    const pods = await pool("pending pods", PENDING, (i) =>
      call({ method: "POST", path: "/api/v1/namespaces/bench/pods", body: podManifest(`pod-${String(i).padStart(5, "0")}`, "bench", "1", "64Mi") }),
    );
    r.createPerS = pods.throughput;
    await sleep(1000);
    if (bench.boundAt.size) throw new Error(`${bench.boundAt.size} pods were bound while every node was full: the hold did not hold`);

    log(`${mode.name}, ${nodes} nodes: ${PENDING} pods pending; freeing every node`);
    const cpuBefore = cpuSnapshot(cp.process.pid, cp.port);
    const alarmsFrom = alarmRuns.length;
    const release = await must("release", {
      method: "DELETE",
      path: "/api/v1/namespaces/hold/pods?gracePeriodSeconds=0",
      body: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0 },
    });
    // Wakes the scheduler at once however it requeued its unschedulable pods.
    // It waits behind the namespace store's work, and wrangler dev answers 503
    // when the store was restarted meanwhile: then try again (409 = it landed).
    for (let attempt = 1; ; attempt++) {
      const kick = await call({ method: "POST", path: "/api/v1/namespaces/bench/pods", body: podManifest("kick", "kick", "10m", "16Mi") });
      if (kick.status < 500 || attempt === 3) {
        if (kick.status >= 300 && kick.status !== 409) throw new Error(`kick: ${kick.status} ${kick.body.toString("utf8").slice(0, 300)}`);
        r.kickRetries = attempt - 1;
        break;
      }
    }
    r.complete = await bench.until(PENDING, Math.max(0, BIND_CAP_MS - (performance.now() - release.end)));
    const binds = [...bench.boundAt.values()];
    const start = Math.min(release.end, ...binds);
    const end = r.complete ? Math.max(...binds) : performance.now();
    r.bound = binds.length;
    r.bindSeconds = (end - start) / 1000;
    r.bindPerS = r.bound / r.bindSeconds;
    r.releaseMs = release.ms;
    r.firstBindMs = binds.length ? Math.min(...binds) - release.end : NaN;
    r.peakPerS = peakPerSecond(binds);
    r.longestRoundMs = longestRound([release.end, ...binds]);
    r.bindCpu = cpuBetween(cpuBefore, cpuSnapshot(cp.process.pid, cp.port));
    r.bindAlarms = alarmRuns.slice(alarmsFrom);
    r.allAlarms = alarmRuns;
    log(
      `${mode.name}, ${nodes} nodes: ${fmt(r.bindPerS, 0)} pods/s (${r.bound} bound in ${fmt(r.bindSeconds, 2)} s${r.complete ? "" : ", PARTIAL"}), Deployment ${fmt(r.deploySeconds, 2)} s, ` +
        `slowest alarm run ${Math.max(...alarmRuns.map((a) => a.ms))} ms`,
    );
    return r;
  } catch (e) {
    console.error(`wrangler dev output (tail):\n${cp.output().slice(-2000)}`);
    throw e;
  } finally {
    for (const w of watches) w.close();
    await cp.stop().catch(() => undefined);
    running = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The longest pause between binds. The scheduler requeues at once while pods
 * are pending, and a round's binds reach the watch only when its alarm run
 * has ended, effects flush included, so this is (an upper bound of) the
 * longest whole alarm run: what the in-Worker timing cannot see.
 */
function longestRound(times) {
  const t = [...times].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < t.length; i++) longest = Math.max(longest, t[i] - t[i - 1]);
  return longest;
}

/** The most binds that arrived within any one-second window. */
function peakPerSecond(times) {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] > 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function alarmSummary(runs) {
  const sorted = runs.map((a) => a.ms).sort((a, b) => a - b);
  const slowest = runs.reduce((a, b) => (b.ms > (a?.ms ?? -1) ? b : a), undefined);
  return { count: runs.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, slowest };
}

function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(" | ")} |`;
  console.log();
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

function report(results) {
  const rows = [["figure", ...NODE_COUNTS.flatMap((n) => [`${n} nodes`, "baseline", "÷ baseline"])]];
  const get = (n, m) => results.find((r) => r.nodes === n && r.mode === m);
  const row = (label, value, digits, ratio = (a, b) => a / b) =>
    rows.push([
      label,
      ...NODE_COUNTS.flatMap((n) => {
        const s = get(n, "scheduler");
        const b = get(n, "baseline");
        const sv = s ? value(s) : NaN;
        const bv = b ? value(b) : NaN;
        return [fmt(sv, digits), fmt(bv, digits), `${fmt(ratio(sv, bv), 2)}×`];
      }),
    ]);
  row(`pods bound/s (${PENDING} pending)`, (r) => r.bindPerS, 0);
  row("peak binds in one second", (r) => r.peakPerS, 0);
  row(`pods bound (of ${PENDING})`, (r) => r.bound, 0);
  row(`time to bind all ${PENDING} (s)`, (r) => (r.complete ? r.bindSeconds : NaN), 2);
  row(`Deployment ${REPLICAS} replicas fully bound (s)`, (r) => r.deploySeconds, 2);
  row("alarm runs, Deployment + binding: p99 ms", (r) => alarmSummary([...r.bindAlarms, ...r.deployAlarms]).p99, 0);
  row("alarm runs, Deployment + binding: max ms", (r) => alarmSummary([...r.bindAlarms, ...r.deployAlarms]).max, 0);
  row("alarm runs, whole run: max ms", (r) => alarmSummary(r.allAlarms).max, 0);
  row("longest pause between binds (ms)", (r) => r.longestRoundMs, 0);
  row("Worker's workerd CPU while binding (cores)", (r) => r.bindCpu?.worker, 2);
  row("other processes' CPU while binding (cores)", (r) => r.bindCpu?.other, 2);
  row("setup: nodes created/s", (r) => r.nodesPerS, 0);
  row("setup: pods created/s", (r) => r.createPerS, 0);
  printTable(rows);

  console.log();
  for (const r of results) {
    const s = alarmSummary(r.allAlarms);
    console.log(
      `${r.mode}, ${r.nodes} nodes: ${r.complete ? "" : `PARTIAL, ${r.bound} of ${PENDING} bound when the ${BIND_CAP_MS / 1000} s cap ran out; `}release DELETE ${fmt(r.releaseMs, 0)} ms${r.kickRetries ? `, kick retried ${r.kickRetries}× after 503 (store restarted)` : ""}, first bind ${fmt(r.firstBindMs, 0)} ms after its answer; ` +
        `${s.count} alarm runs, slowest ${s.max} ms (${s.slowest?.keys} keys in ${s.slowest?.store})`,
    );
  }
  const busy = results.filter((r) => (r.bindCpu?.other ?? 0) > 0.25);
  if (busy.length)
    console.log(`warning: other processes used over 0.25 cores while binding (${busy.map((r) => `${r.mode} ${r.nodes}`).join(", ")}); those figures are pessimistic`);
  const verdict = (ok) => (ok ? "PASS" : "FAIL");
  const s500 = get(500, "scheduler");
  if (s500) console.log(`\ngoal: >= ${GOAL_PODS_PER_S} pods/s bound at 500 nodes: ${verdict(s500.bindPerS >= GOAL_PODS_PER_S)} (${fmt(s500.bindPerS, 0)} pods/s)`);
  const scheduler = results.filter((r) => r.mode === "scheduler");
  if (scheduler.length) {
    const work = Math.max(...scheduler.map((r) => alarmSummary(r.allAlarms).max));
    const round = Math.max(...scheduler.map((r) => r.longestRoundMs));
    console.log(
      `goal: no alarm run over ${GOAL_ALARM_MS} ms of CPU: ${verdict(work <= GOAL_ALARM_MS && round <= GOAL_ALARM_MS)} ` +
        `(controller work at most ${work} ms wall; longest pause between binds ${fmt(round, 0)} ms, which bounds a whole run with its effects flush)`,
    );
  }
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${fmt(totalmem() / 2 ** 30)} GiB, node ${process.version}; client and wrangler dev share it`);
}

const results = [];
let failed = false;
let running;
const budget = setTimeout(async () => {
  console.error(`bench:scheduler exceeded its ${RUN_BUDGET_MS / 60_000} min budget; stopping`);
  await running?.stop().catch(() => undefined);
  process.exit(2);
}, RUN_BUDGET_MS);
budget.unref();
for (const nodes of NODE_COUNTS) {
  for (const mode of MODES) {
    try {
      results.push(await scenario({ nodes, mode }));
    } catch (e) {
      failed = true;
      console.error(`${mode.name}, ${nodes} nodes failed: ${e instanceof Error ? e.stack : e}`);
    }
  }
}
clearTimeout(budget);
if (results.length) report(results);
if (failed) {
  console.error("\nbench:scheduler: a step failed; the figures above are incomplete.");
  process.exit(1);
}
