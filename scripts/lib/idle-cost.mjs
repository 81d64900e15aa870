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
export const SHARDS = Number(/NODE_CHANNEL_SHARDS\s*=\s*"(\d+)"/.exec(readFileSync(join(projectRoot, "wrangler.toml"), "utf8"))?.[1] ?? 1);
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
 *   lease renewal (every 5 min): objects row replaced (+PK index), changes row, meta lastRv (+PK index),
 *     change-log compaction (one old change deleted per new one once 20,000 are kept),
 *     cluster store's node_heartbeats upsert (+PK index)          → 5 / 8
 *   Node status write (every 5 min), heartbeat times only: objects row, changes row, meta lastRv,
 *     compaction; no broadcast, no lifecycle key                   → 4 / 7
 *   cluster alarm run (node-lifecycle sweep, only for Lease-tracked nodes):
 *     work_queue DELETE + INSERT (+PK and due indexes), setAlarm    → 3 / 7
 *   channel shard alarm (the liveness backstop, one per grace period per shard): setAlarm → 1
 *   long-poll: nothing written (liveness is kept in memory; only transitions are stored)
 * Rows read (generous): 45 per renewal (the compaction's COUNT over 20,000 changes every
 *   512 writes is most of it), 45 per status write, 3 per long-poll, 5 per sweep and node.
 */
const ROWS = {
  renewal: { low: 5, high: 8, read: 45 },
  status: { low: 4, high: 7, read: 45 },
  clusterAlarm: { low: 3, high: 7, read: 5 },
  channelAlarm: 1,
  poll: { read: 3 },
};

/** The agent's endpoints by name (docs/agent-protocol.md). */
export function endpointOf({ method, path }) {
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/desired$/.test(path)) return "desired-state long-poll";
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/podstatus$/.test(path)) return "pod status batch";
  if (/\/namespaces\/kube-node-lease\/leases\//.test(path)) return `lease ${method === "PUT" ? "renewal" : method}`;
  if (/^\/api\/v1\/nodes\/[^/]+\/status$/.test(path)) return "node status";
  return `${method} ${path}`;
}

/**
 * The agent's defaults: long-poll 50 s (desired-state.ts), Lease renewal and Node status every
 * 300 s (heartbeat.ts, node-loop.ts). The control plane's node-monitor grace period is 40 s: the
 * channel shard's backstop alarm runs once per grace period.
 */
export const CONFIGURED = { renewals: 1 / 300, polls: 1 / 50, statusWrites: 1 / 300, channelAlarms: 1 / 40 };
/** Worker wall time of a write when the window saw none (the local median measured before). */
const WRITE_MS = 22;

const overage = (used, { included, perMillion }) => (Math.max(0, used - included) / 1e6) * perMillion;

export function perNodeRates(r) {
  // Periodic requests: one over the mean interval between them (a 50 s poll lands 2 or 3 times in
  // a 120 s window depending on phase; the intervals do not).
  const rateOf = (at) => (at.length >= 3 ? ((at.length - 1) * 1000) / (at[at.length - 1] - at[0]) : at.length / r.idleSeconds);
  const per = (name) => rateOf(r.idleRequests.filter((e) => endpointOf(e) === name).map((e) => e.at));
  const clusterAlarms = r.idleAlarms.filter((a) => a.store === "cluster");
  const clusterAlarmRate = clusterAlarms.length / r.idleSeconds;
  // What one heartbeat-only Node status write set off: alarm runs anywhere (a broadcast to the
  // namespace stores wakes each of them), less the cluster store's regular runs in that window.
  const probeAlarms = Math.max(0, r.statusProbe.alarms.length - Math.round(clusterAlarmRate * r.statusProbe.seconds));
  const statusFanout = probeAlarms > 0 ? r.namespaces.length + probeAlarms : 0;
  // A connection change inside the window (the agent logs each) skews the counts: a reconnect
  // rewrites the Node status and restarts the long-poll. Then the agent's configured intervals are used.
  const clean = !r.idleAgentLines.some((l) => /unreachable|reconnected|desired state:|node heartbeat:/.test(l));
  // Two polls in a window give no interval worth the name: then the configured 50 s stands.
  const pollCount = r.idleRequests.filter((e) => endpointOf(e) === "desired-state long-poll").length;
  const polls = clean && pollCount >= 3 ? per("desired-state long-poll") : CONFIGURED.polls;
  // Every 300 s by configuration: at most one lands in the window, too few for a rate.
  const renewals = CONFIGURED.renewals;
  const statusWrites = CONFIGURED.statusWrites;
  const known = new Set(["lease renewal", "desired-state long-poll", "node status"]);
  const other = clean ? r.idleRequests.filter((e) => !known.has(endpointOf(e))).length / r.idleSeconds : 0;
  // The median: one slow answer on a busy machine should not set a month's duration.
  const workerMs = (names) => {
    const xs = r.idleRequests.filter((e) => names.includes(endpointOf(e))).map((e) => e.ms).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor((xs.length - 1) / 2)] : WRITE_MS;
  };
  return {
    clean, renewals, polls, statusWrites, other,
    workerRequests: renewals + polls + statusWrites + other,
    // Long-poll: its channel shard. Lease renewal: the lease's namespace store + the heartbeat RPC
    // to the cluster store. Node status: the cluster store (+ the fan-out, if any).
    doRequests: polls + 2 * renewals + statusWrites * (1 + statusFanout) + other,
    clusterAlarms: clusterAlarmRate,
    writeMs: workerMs(["lease renewal", "node status"]),
    alarmMs: clusterAlarms.length ? clusterAlarms.reduce((a, b) => a + b.ms, 0) / clusterAlarms.length : 0,
    probeAlarms,
    statusFanout,
  };
}

export function monthlyIdleCost(n, k, shards = SHARDS) {
  const s = MONTH_S;
  const awakeShards = shards * (1 - (1 - 1 / shards) ** n);
  // Cluster-store alarm runs seen while idle (the sweep runs only for Lease-tracked nodes), scaled
  // with the fleet but bounded at 10 per second; each awake shard's backstop alarm, fleet-constant.
  const clusterAlarms = Math.min(n * k.clusterAlarms, 10) * s;
  const channelAlarms = awakeShards * CONFIGURED.channelAlarms * s;
  const workerRequests = n * k.workerRequests * s;
  const doRequests = n * k.doRequests * s + clusterAlarms + channelAlarms;
  // Parked polls keep each shard awake. The lease store and the cluster store are billed while
  // they handle a write: upper bound, the write's whole Worker time through wrangler's proxy.
  const leaseStoreSeconds = Math.min(s, (n * k.renewals * s * k.writeMs) / 1000);
  const clusterStoreSeconds = Math.min(s, (n * (k.renewals + k.statusWrites) * s * k.writeMs + clusterAlarms * k.alarmMs) / 1000);
  const gbSeconds = (awakeShards * s + leaseStoreSeconds + clusterStoreSeconds) * DO_GB;
  const renewals = n * k.renewals * s;
  const statusWrites = n * k.statusWrites * s;
  const rowsWritten = (w) =>
    renewals * ROWS.renewal[w] + statusWrites * ROWS.status[w] + clusterAlarms * ROWS.clusterAlarm[w] + channelAlarms * ROWS.channelAlarm;
  const rowsRead =
    renewals * ROWS.renewal.read + statusWrites * ROWS.status.read + clusterAlarms * n * ROWS.clusterAlarm.read + n * k.polls * s * ROWS.poll.read;
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
