// `npm run bench:api`: the API server's throughput and latency under a local
// `wrangler dev`, each figure also as a ratio to a trivial authenticated
// route (GET /version) measured in the same run, so the figures say how much
// the API adds over the bare Worker on this machine rather than how fast the
// machine is. Creates 2,000 pods in one namespace with 32 clients, then lists,
// gets and watch-delivers their updates. Missing a goal is reported, never
// fatal; the exit code is non-zero only when a request fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { projectRoot, startControlPlane } from "./lib/local-cluster.mjs";
import { cpuBetween, cpuSnapshot, workerdPids } from "./lib/bench-cpu.mjs";
import { fmt, pct, printCpuTable, printTable } from "./lib/bench-report.mjs";
import { keepAliveAgent, median, openWatch, runPool, summarize, timedRequest } from "./lib/bench-http.mjs";

const PODS = 2000;
const CONCURRENCY = 32;
const WARMUP = 100;
const NAMESPACE = "default";
const PAGE = 500;
const LIST_RUNS = 5;
const RUN_BUDGET_MS = 175_000;
const WATCH_WAIT_MS = 30_000;
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io";
const PATCHED_LABEL = "bench-patched";
// With --without-scheduler the pods name a scheduler nobody runs: the
// scheduler still wakes on every create but places nothing, so there are no
// PodScheduled status writes or FailedScheduling Events competing with the
// API for the namespace's Durable Object. (There are no nodes either way.)
const WITHOUT_SCHEDULER = process.argv.includes("--without-scheduler");

const podsPath = `/api/v1/namespaces/${NAMESPACE}/pods`;
const podName = (i) => `bench-${String(i).padStart(4, "0")}`;

/** A small pod as `kubectl run` would send it: one container, a few labels. */
const podManifest = (name, i) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: "bench", shard: String(i % 8) } },
  spec: {
    ...(WITHOUT_SCHEDULER ? { schedulerName: "bench-no-scheduler" } : {}),
    containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "3600"] }],
  },
});

const log = (msg) => console.log(`» ${msg}`);

const failures = [];
const cpuByPhase = [];
let firstWorkerdPids;
const newWorkerdPids = new Set();

/** Runs one phase and notes which processes used the CPU meanwhile. */
async function measured(name, fn) {
  const before = cpuSnapshot(cp.process.pid, cp.port);
  const result = await fn();
  const after = cpuSnapshot(cp.process.pid, cp.port);
  const cpu = cpuBetween(before, after);
  if (cpu) cpuByPhase.push({ name, ...cpu });
  firstWorkerdPids ??= new Set(workerdPids(before));
  for (const pid of workerdPids(after)) if (!firstWorkerdPids.has(pid)) newWorkerdPids.add(pid);
  return result;
}

/** Which code was measured: the commit, and whether the tree had changes on top. */
function sourceVersion() {
  try {
    const git = (...args) => execFileSync("git", args, { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--", "src").length ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function recordErrors(phase, errors) {
  for (const e of errors) failures.push({ phase, ...e });
  if (errors.length) log(`${phase}: ${errors.length} failed request(s), first: ${JSON.stringify(errors[0])}`);
}
function expectOk(phase, r) {
  if (r.status < 200 || r.status > 299) recordErrors(phase, [{ status: r.status, body: r.body.toString("utf8").slice(0, 300) }]);
  return r;
}

const stateDir = mkdtempSync(join(tmpdir(), "kubeflare-bench-"));
let cp;
let watch;
let stopping = false;
async function cleanUp() {
  stopping = true;
  watch?.close();
  await cp?.stop().catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
}
const budget = setTimeout(async () => {
  console.error(`bench:api exceeded its ${RUN_BUDGET_MS / 1000} s budget; stopping`);
  await cleanUp();
  process.exit(2);
}, RUN_BUDGET_MS);
budget.unref();

try {
  log(`source ${sourceVersion()}; pods ${WITHOUT_SCHEDULER ? "name a scheduler nobody runs (--without-scheduler)" : "go to the default scheduler (no nodes: they stay Pending)"}`);
  const t0 = performance.now();
  cp = await startControlPlane({ stateDir });
  cp.process.once("exit", (code, signal) => {
    if (!stopping) recordErrors("run", [{ error: `wrangler dev exited during the run (${code ?? signal})` }]);
  });
  log(`wrangler dev is up on ${cp.url} after ${fmt((performance.now() - t0) / 1000)} s (state in ${stateDir})`);
  const agent = keepAliveAgent({ ca: cp.ca, maxSockets: CONCURRENCY });
  const call = (opts) => timedRequest({ url: cp.url, token: cp.token, agent, ...opts });

  // Warm-up: opens all connections, compiles the Worker's hot paths, and wakes
  // the namespace's Durable Object. Creates are dry-run so the list stays at
  // exactly PODS objects.
  const warmFloor = await runPool({ count: WARMUP, concurrency: CONCURRENCY, job: () => call({ path: "/version" }) });
  const warmCreate = await runPool({
    count: WARMUP,
    concurrency: CONCURRENCY,
    job: (i) => call({ method: "POST", path: `${podsPath}?dryRun=All`, body: podManifest(`warmup-${i}`, i) }),
  });
  recordErrors("warm-up", [...warmFloor.errors, ...warmCreate.errors]);

  log(`floor: ${PODS} × GET /version, ${CONCURRENCY} clients`);
  const floor = await measured("floor", () => runPool({ count: PODS, concurrency: CONCURRENCY, job: () => call({ path: "/version" }) }));
  recordErrors("floor", floor.errors);

  log(`create: ${PODS} × POST ${podsPath}, ${CONCURRENCY} clients`);
  const create = await measured("create", () =>
    runPool({ count: PODS, concurrency: CONCURRENCY, job: (i) => call({ method: "POST", path: podsPath, body: podManifest(podName(i), i) }) }),
  );
  recordErrors("create", create.errors);

  log(`list: full list ×${LIST_RUNS}, paged by ${PAGE}, Table`);
  const lists = await measured("list", () => listPhase(call));
  const listRv = lists.resourceVersion;

  log(`get: ${PODS} × GET ${podsPath}/<name>, ${CONCURRENCY} clients`);
  const get = await measured("get", () =>
    runPool({ count: PODS, concurrency: CONCURRENCY, job: (i) => call({ path: `${podsPath}/${podName(i)}` }) }),
  );
  recordErrors("get", get.errors);

  log(`watch: resourceVersion=${listRv}, then ${PODS} × merge PATCH, ${CONCURRENCY} clients`);
  const { patch, delivery } = await watchPhase(call, listRv);

  // wrangler dev restarts workerd when a file under src/ changes; a run that
  // spans a restart measured two different processes and lost its watch.
  if (newWorkerdPids.size)
    recordErrors("run", [{ error: `workerd was restarted during the run (new pid ${[...newWorkerdPids].join(", ")}): did a file under src/ change?` }]);

  report({ floor, create, get, patch, ...lists, delivery });
} catch (e) {
  failures.push({ phase: "run", error: e instanceof Error ? e.stack : String(e) });
  console.error(e);
} finally {
  clearTimeout(budget);
  // wrangler dev reloads the Worker when files under src/ change, which
  // resets Durable Objects and ends watches; its log says whether that happened.
  if (failures.length && cp) console.error(`\nwrangler dev output (tail):\n${cp.output().slice(-2000)}`);
  await cleanUp();
}

if (failures.length) {
  console.error(`\nbench:api: ${failures.length} failed request(s) or error(s); the figures above are not trustworthy.`);
  process.exit(1);
}

/**
 * Watches from the list's resourceVersion, merge-patches every pod, and times
 * each pod's MODIFIED event against its PATCH's send and answer times.
 */
async function watchPhase(call, listRv) {
  const sentAt = new Map();
  const answeredAt = new Map();
  const arrivedAt = new Map();
  let allArrived;
  const everyEvent = new Promise((r) => (allArrived = r));
  watch = await openWatch({
    url: cp.url,
    ca: cp.ca,
    token: cp.token,
    path: `${podsPath}?watch=true&resourceVersion=${listRv}`,
    onEvent: (e, at) => {
      if (e.type === "ERROR") {
        recordErrors("watch", [{ error: JSON.stringify(e.object).slice(0, 300) }]);
        return;
      }
      const name = e.object?.metadata?.name;
      if (e.type !== "MODIFIED" || e.object?.metadata?.labels?.[PATCHED_LABEL] !== "1" || arrivedAt.has(name)) return;
      arrivedAt.set(name, at);
      if (arrivedAt.size === PODS) allArrived();
    },
    onEnd: () => recordErrors("watch", [{ error: `the server ended the watch after ${arrivedAt.size} of ${PODS} events` }]),
    onError: (err) => {
      recordErrors("watch", [{ error: err instanceof Error ? err.message : String(err) }]);
    },
  });
  const patchBody = JSON.stringify({ metadata: { labels: { [PATCHED_LABEL]: "1" } } });
  const patchPod = async (i) => {
    const name = podName(i);
    const r = await call({ method: "PATCH", path: `${podsPath}/${name}`, headers: { "content-type": "application/merge-patch+json" }, body: patchBody });
    sentAt.set(name, r.start);
    answeredAt.set(name, r.end);
    return r;
  };
  const patch = await measured("patch + watch", () => runPool({ count: PODS, concurrency: CONCURRENCY, job: patchPod }));
  recordErrors("patch", patch.errors);
  const waitStart = performance.now();
  await Promise.race([everyEvent, new Promise((r) => setTimeout(r, WATCH_WAIT_MS))]);
  watch.close();
  if (arrivedAt.size < PODS)
    recordErrors("watch", [{ error: `${PODS - arrivedAt.size} MODIFIED event(s) missing ${fmt((performance.now() - waitStart) / 1000)} s after the last patch` }]);
  const afterAnswer = [];
  const afterSend = [];
  for (const [name, at] of arrivedAt) {
    if (!answeredAt.has(name)) continue;
    afterAnswer.push(at - answeredAt.get(name));
    afterSend.push(at - sentAt.get(name));
  }
  const firstSend = Math.min(...sentAt.values());
  const lastArrival = Math.max(...arrivedAt.values());
  const delivery = {
    events: arrivedAt.size,
    perSecond: (arrivedAt.size / (lastArrival - firstSend)) * 1000,
    afterAnswer: summarize(afterAnswer),
    afterSend: summarize(afterSend),
  };
  return { patch, delivery };
}

/** Full lists (timed to the last byte), kubectl's paged list, and the Table form. */
async function listPhase(call) {
  const fullLists = [];
  let resourceVersion;
  let listBytes = 0;
  let listItems = 0;
  let parseMs = 0;
  for (let run = 0; run < LIST_RUNS; run++) {
    const r = expectOk("list", await call({ path: podsPath }));
    fullLists.push(r.ms);
    const p0 = performance.now();
    const body = JSON.parse(r.body.toString("utf8"));
    parseMs = performance.now() - p0;
    resourceVersion = body.metadata?.resourceVersion;
    listItems = body.items?.length ?? 0;
    listBytes = r.body.length;
  }
  if (listItems !== PODS) recordErrors("list", [{ error: `full list returned ${listItems} items, expected ${PODS}` }]);

  const pagedStart = performance.now();
  let pages = 0;
  let pagedItems = 0;
  for (let cont = ""; ; ) {
    const r = expectOk("paged list", await call({ path: `${podsPath}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}` }));
    const body = JSON.parse(r.body.toString("utf8"));
    pages++;
    pagedItems += body.items?.length ?? 0;
    cont = body.metadata?.continue ?? "";
    if (!cont || r.status !== 200) break;
  }
  const pagedMs = performance.now() - pagedStart;
  if (pagedItems !== PODS) recordErrors("paged list", [{ error: `paged list returned ${pagedItems} items, expected ${PODS}` }]);

  const table = expectOk("table list", await call({ path: podsPath, headers: { accept: TABLE_ACCEPT } }));
  const tableRows = JSON.parse(table.body.toString("utf8")).rows?.length ?? 0;

  return { fullLists, resourceVersion, listBytes, parseMs, pagedMs, pages, table, tableRows };
}

function report({ floor, create, get, patch, fullLists, pagedMs, pages, listBytes, parseMs, table, tableRows, delivery }) {
  const rows = [["phase", "requests", "req/s", "p50 ms", "p99 ms", "req/s ÷ floor", "p50 ÷ floor", "p99 ÷ floor"]];
  const pool = (name, r) =>
    rows.push([name, String(r.count), fmt(r.throughput, 0), fmt(r.p50), fmt(r.p99), pct(r.throughput / floor.throughput), `${fmt(r.p50 / floor.p50, 2)}×`, `${fmt(r.p99 / floor.p99, 2)}×`]);
  pool("floor GET /version", floor);
  pool("create POST pod", create);
  pool("get pod", get);
  pool("merge PATCH pod", patch);
  printTable(rows);

  const fullMedian = median(fullLists);
  console.log(`
full list of ${PODS} pods (${fmt(listBytes / 1024, 0)} KiB): median ${fmt(fullMedian)} ms, min ${fmt(Math.min(...fullLists))} ms over ${fullLists.length} runs (client JSON.parse ${fmt(parseMs)} ms on top)
paged list, limit=${PAGE}: ${pages} pages in ${fmt(pagedMs)} ms (sequential, each page parsed for its continue token, as kubectl does)
Table list (as=Table): ${tableRows} rows, ${fmt(table.body.length / 1024, 0)} KiB in ${fmt(table.ms)} ms
watch delivery: ${delivery.events}/${PODS} MODIFIED events, ${fmt(delivery.perSecond, 0)} events/s; after the PATCH answer p50 ${fmt(delivery.afterAnswer.p50)} ms, p99 ${fmt(delivery.afterAnswer.p99)} ms; after the PATCH was sent p50 ${fmt(delivery.afterSend.p50)} ms, p99 ${fmt(delivery.afterSend.p99)} ms
`);
  const ratio = create.throughput / floor.throughput;
  const verdict = (ok) => (ok ? "PASS" : "FAIL");
  console.log(`goal: creates >= 40% of floor: ${verdict(ratio >= 0.4)} (${pct(ratio)})`);
  console.log(`goal: p99 create <= 50 ms: ${verdict(create.p99 <= 50)} (${fmt(create.p99)} ms)`);
  console.log(`goal: full list <= 250 ms: ${verdict(fullMedian <= 250)} (median ${fmt(fullMedian)} ms)`);
  printCpuTable(cpuByPhase);
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${fmt(totalmem() / 2 ** 30)} GiB, node ${process.version}; client and wrangler dev share it`);
}

