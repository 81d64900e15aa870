// The monthly idle cost of a fleet of nodes on Cloudflare, from what one
// idle agent was measured to cause (scripts/bench-agent.mjs): requests to
// the Worker, requests and alarm runs in Durable Objects, objects kept awake
// by parked long-polls, and SQLite rows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./local-cluster.mjs";

/**
 * Cloudflare's published prices, Workers Paid (Standard) plan, as read on
 * developers.cloudflare.com/workers/platform/pricing/ and
 * /durable-objects/platform/pricing/ (cloudflare-docs, 2026).
 */
export const PRICES = {
  base: 5,
  workerRequests: { included: 10e6, perMillion: 0.3 },
  workerCpuMs: { included: 30e6, perMillion: 0.02 },
  doRequests: { included: 1e6, perMillion: 0.15 },
  doGbSeconds: { included: 400_000, perMillion: 12.5 },
  rowsRead: { included: 25e9, perMillion: 0.001 },
  rowsWritten: { included: 50e6, perMillion: 1.0 },
};
const MONTH_S = 30 * 86_400;
const DO_GB = 0.128; // every awake object is billed as 128 MB
export const SHARDS = Number(/NODE_CHANNEL_SHARDS\s*=\s*"(\d+)"/.exec(readFileSync(join(projectRoot, "wrangler.toml"), "utf8"))?.[1] ?? 16);
/**
 * Worker CPU per request is not measured: locally one workerd runs the Worker and every Durable
 * Object, whose CPU is billed as duration instead. These requests parse a small JSON body and make
 * one RPC; 1 ms is assumed (CPU is the smallest dimension either way).
 */
export const WORKER_CPU_MS = 1;
/**
 * SQLite rows per operation, read off src/durable (no meter exists locally).
 * "low" counts table rows only; "high" adds the index entries each write
 * updates, as D1 (whose row pricing Durable Objects share) counts them.
 *   lease renewal: objects row replaced (+PK index), changes row, meta lastRv (+PK index),
 *     change-log compaction (one old change deleted per new one once 20,000 are kept),
 *     cluster store's node_heartbeats upsert (+PK index)          → 5 / 8
 *   node-lifecycle tick (per node, per alarm run of the cluster store):
 *     work_queue DELETE + INSERT (+PK and due indexes)            → 2 / 6
 *   alarm run: setAlarm is billed as one row written               → 1 / 1
 * Rows read (generous): 45 per renewal (the compaction's COUNT over 20,000 changes every
 *   512 writes is most of it), 3 per long-poll, 5 per lifecycle tick.
 */
const ROWS = { renewal: { low: 5, high: 8, read: 45 }, tick: { low: 2, high: 6, read: 5 }, alarm: 1, poll: { read: 3 } };

/** The agent's endpoints by name (docs/agent-protocol.md). */
export function endpointOf({ method, path }) {
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/desired$/.test(path)) return "desired-state long-poll";
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/podstatus$/.test(path)) return "pod status batch";
  if (/\/namespaces\/kube-node-lease\/leases\//.test(path)) return `lease ${method === "PUT" ? "renewal" : method}`;
  if (/^\/api\/v1\/nodes\/[^/]+\/status$/.test(path)) return "node status";
  return `${method} ${path}`;
}

/** The agent's defaults: heartbeat 10 s and Node status 300 s (node-loop.ts), long-poll 30 s (desired-state.ts). */
const CONFIGURED = { renewals: 1 / 10, polls: 1 / 30, statusWrites: 1 / 300 };

const overage = (used, { included, perMillion }) => (Math.max(0, used - included) / 1e6) * perMillion;

export function perNodeRates(r) {
  // Periodic requests: one over the mean interval between them (a 30 s poll lands 3 or 4 times in
  // a 120 s window depending on phase; the intervals do not).
  const rateOf = (at) => (at.length >= 3 ? ((at.length - 1) * 1000) / (at[at.length - 1] - at[0]) : at.length / r.idleSeconds);
  const per = (name) => rateOf(r.idleRequests.filter((e) => endpointOf(e) === name).map((e) => e.at));
  const clusterAlarms = r.idleAlarms.filter((a) => a.store === "cluster");
  const clusterAlarmRate = rateOf(clusterAlarms.map((a) => a.at));
  // Alarm runs after one status write, less the cluster store's regular ticks in that window.
  const probeAlarms = Math.max(0, r.statusProbe.alarms.length - Math.round((clusterAlarms.length / r.idleSeconds) * r.statusProbe.seconds));
  // A connection change inside the window (the agent logs each) skews the counts: a reconnect
  // rewrites the Node status and restarts the long-poll. Then the agent's configured intervals are used.
  const clean = !r.idleAgentLines.some((l) => /unreachable|reconnected|desired state:|node heartbeat:/.test(l));
  const renewals = clean ? per("lease renewal") : CONFIGURED.renewals;
  const polls = clean ? per("desired-state long-poll") : CONFIGURED.polls;
  // Every 300 s by configuration, so never inside a window that starts right after registration.
  const statusWrites = CONFIGURED.statusWrites;
  const known = new Set(["lease renewal", "desired-state long-poll", "node status"]);
  const other = clean ? r.idleRequests.filter((e) => !known.has(endpointOf(e))).length / r.idleSeconds : 0;
  // The median: one slow answer on a busy machine should not set a month's duration.
  const workerMs = (name) => {
    const xs = r.idleRequests.filter((e) => endpointOf(e) === name).map((e) => e.ms).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor((xs.length - 1) / 2)] : NaN;
  };
  return {
    clean, renewals, polls, statusWrites, other,
    workerRequests: renewals + polls + statusWrites + other,
    // Lease renewal: the lease's namespace store + the heartbeat RPC to the cluster store.
    // Node status: the cluster store + one updateNodeCache RPC per namespace + the alarms those wake.
    doRequests: 2 * renewals + polls + statusWrites * (1 + r.namespaces.length + probeAlarms) + other,
    clusterAlarms: clusterAlarmRate,
    lifecycleTicks: clusterAlarms.length ? (clusterAlarmRate * clusterAlarms.reduce((a, b) => a + b.keys, 0)) / clusterAlarms.length : 0,
    renewalMs: workerMs("lease renewal"),
    alarmMs: clusterAlarms.length ? clusterAlarms.reduce((a, b) => a + b.ms, 0) / clusterAlarms.length : 0,
    probeAlarms,
  };
}

export function monthlyIdleCost(n, k, shards = SHARDS) {
  const s = MONTH_S;
  const awakeShards = shards * (1 - (1 - 1 / shards) ** n);
  // The cluster store's per-node lifecycle keys come due at their own times; a run takes all due ones,
  // so alarm runs grow with nodes until runs follow each other (bounded here at 10 per second).
  const alarms = Math.min(n * k.clusterAlarms, 10) * s;
  const workerRequests = n * k.workerRequests * s;
  const doRequests = n * k.doRequests * s + alarms;
  // Stores are billed while they handle requests. Upper bound: a renewal's whole Worker time (local,
  // through wrangler's proxy) for the lease store, and again for the cluster store its heartbeat RPC
  // reaches; an object is billed once however many requests it serves at a time, so each store is
  // capped at always awake (the lease store and the cluster store are one object each).
  const leaseStoreSeconds = Math.min(s, (n * k.renewals * s * k.renewalMs) / 1000);
  const clusterStoreSeconds = Math.min(s, (n * (k.renewals + k.statusWrites) * s * k.renewalMs + alarms * k.alarmMs) / 1000);
  const gbSeconds = (awakeShards * s + leaseStoreSeconds + clusterStoreSeconds) * DO_GB;
  const renewals = n * k.renewals * s;
  const ticks = n * k.lifecycleTicks * s;
  const rowsWritten = (w) => renewals * ROWS.renewal[w] + ticks * ROWS.tick[w] + alarms * ROWS.alarm;
  const rowsRead = renewals * ROWS.renewal.read + ticks * ROWS.tick.read + n * k.polls * s * ROWS.poll.read;
  const cpuMs = workerRequests * WORKER_CPU_MS;
  const cost = {
    workerRequests: overage(workerRequests, PRICES.workerRequests),
    cpu: overage(cpuMs, PRICES.workerCpuMs),
    doRequests: overage(doRequests, PRICES.doRequests),
    duration: overage(gbSeconds, PRICES.doGbSeconds),
    rowsRead: overage(rowsRead, PRICES.rowsRead),
    rowsWrittenLow: overage(rowsWritten("low"), PRICES.rowsWritten),
    rowsWrittenHigh: overage(rowsWritten("high"), PRICES.rowsWritten),
  };
  const common = cost.workerRequests + cost.cpu + cost.doRequests + cost.duration + cost.rowsRead;
  return {
    n, awakeShards, workerRequests, cpuMs, doRequests, gbSeconds, rowsRead,
    rowsWrittenLow: rowsWritten("low"), rowsWrittenHigh: rowsWritten("high"), cost,
    totalLow: PRICES.base + common + cost.rowsWrittenLow,
    totalHigh: PRICES.base + common + cost.rowsWrittenHigh,
  };
}
