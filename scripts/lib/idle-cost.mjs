// The monthly idle cost of a fleet of nodes on Cloudflare, from what one
// idle agent was measured to cause (scripts/bench-agent.mjs): requests to
// the Worker, requests and alarm runs in Durable Objects, channel shards
// woken by their sweep (WebSocket channel) or kept awake by parked
// long-polls (the fallback), and SQLite rows.
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
 *   lease renewal: objects row replaced (+PK index), changes row, meta lastRv (+PK index),
 *     change-log compaction (one old change deleted per new one once 20,000 are kept),
 *     cluster store's node_heartbeats upsert (+PK index)          → 5 / 8
 *   Node status write, heartbeat times only: objects row, changes row, meta lastRv,
 *     compaction; no broadcast, no lifecycle key                   → 4 / 7
 *   cluster alarm run (node-lifecycle sweep, only for Lease-tracked nodes):
 *     work_queue DELETE + INSERT (+PK and due indexes), setAlarm    → 3 / 7
 *   channel shard sweep (once a minute per shard while nodes are connected): setAlarm → 1
 *   WebSocket connect, long-poll, ping: nothing written (liveness is kept in memory and on the
 *     sockets; only transitions are stored)
 * Rows read (generous): 45 per renewal (the compaction's COUNT over 20,000 changes every
 *   512 writes is most of it), 45 per status write, 3 per long-poll, 5 per sweep and node.
 */
const ROWS = {
  renewal: { low: 5, high: 8, read: 45 },
  status: { low: 4, high: 7, read: 45 },
  clusterAlarm: { low: 3, high: 7, read: 5 },
  channelSweep: 1,
  poll: { read: 3 },
};

/** The agent's endpoints by name (docs/agent-protocol.md). */
export function endpointOf({ method, path }) {
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/channel$/.test(path)) return "channel WebSocket (connect)";
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/desired$/.test(path)) return "desired-state long-poll";
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/podstatus$/.test(path)) return "pod status batch";
  if (/\/namespaces\/kube-node-lease\/leases\//.test(path)) return `lease ${method === "PUT" ? "renewal" : method}`;
  if (/^\/api\/v1\/nodes\/[^/]+\/status$/.test(path)) return "node status";
  return `${method} ${path}`;
}

/**
 * The agent's defaults (agent/src/controlplane): Lease renewal and Node status every 1,800 s
 * (heartbeat.ts, node-loop.ts), together; a ping every 30 s on the channel socket
 * (channel-socket.ts), answered by the runtime's auto-response, which Cloudflare neither bills
 * nor counts as a wake ("Application-level auto-response messages handled by
 * setWebSocketAutoResponse() will not incur additional wall-clock time, and will not be
 * charged", Durable Objects pricing); on the fallback, a 50 s long-poll (desired-state.ts).
 * Sockets are assumed to reconnect once a day per node (a deploy or a restart of the shard
 * drops them). The shard sweeps once a minute while any node is live (channel-sockets.ts).
 */
export const CONFIGURED = {
  renewals: 1 / 1800,
  statusWrites: 1 / 1800,
  polls: 1 / 50,
  reconnects: 1 / 86_400,
  channelSweeps: 1 / 60,
};
/**
 * What a node's own credential adds over the admin token the benchmark uses (src/api/limits.ts,
 * src/api/auth.ts): every request takes from the token's RequestLimiter object (1 request), and
 * is reviewed by the cluster store unless the same token was reviewed within 10 s
 * (AUTH_CACHE_SECONDS). A Lease renewal and the Node status written with it share one review. A
 * long-poll also holds a watch slot (acquire + release) and, 50 s apart, needs its own review.
 */
export const CREDENTIAL_DO_REQUESTS = { renewalWithStatus: 3, poll: 4, connect: 2 };
/** Worker wall time of a write when the window saw none (the local median measured before). */
const WRITE_MS = 22;
/** Wall time of one channel sweep (a wake of the shard; only this is billed, a hibernated shard bills nothing). */
const SWEEP_MS = 50;

const overage = (used, { included, perMillion }) => (Math.max(0, used - included) / 1e6) * perMillion;

/**
 * Per-node rates from one bench run. `channel` is how the agent got its desired state:
 * "websocket" (connected, nothing but pings while idle) or "poll" (the fallback).
 */
export function perNodeRates(r, channel = r.channel ?? "websocket") {
  const socket = channel === "websocket";
  const clusterAlarms = r.idleAlarms.filter((a) => a.store === "cluster");
  const clusterAlarmRate = clusterAlarms.length / r.idleSeconds;
  // What one heartbeat-only Node status write set off: alarm runs anywhere (a broadcast to the
  // namespace stores wakes each of them), less the cluster store's regular runs in that window.
  const probeAlarms = Math.max(0, r.statusProbe.alarms.length - Math.round(clusterAlarmRate * r.statusProbe.seconds));
  const statusFanout = probeAlarms > 0 ? r.namespaces.length + probeAlarms : 0;
  // A connection change inside the window (the agent logs each) skews the counts.
  const clean = !r.idleAgentLines.some((l) => /unreachable|reconnected|desired state:|node heartbeat:/.test(l));
  const polls = socket ? 0 : CONFIGURED.polls;
  const reconnects = socket ? CONFIGURED.reconnects : 0;
  // Every 1,800 s by configuration: none lands in a window of minutes.
  const renewals = CONFIGURED.renewals;
  const statusWrites = CONFIGURED.statusWrites;
  const known = new Set(["lease renewal", "desired-state long-poll", "node status", "channel WebSocket (connect)"]);
  const other = clean ? r.idleRequests.filter((e) => !known.has(endpointOf(e))).length / r.idleSeconds : 0;
  // The shard's wakes seen in the window: its sweeps, and messages that reached it (pings must not).
  const wakes = r.channelWakes ?? [];
  const sweeps = wakes.filter((w) => w.kind === "alarm").length;
  const channelSweeps = sweeps >= 1 ? Math.max(sweeps / r.idleSeconds, CONFIGURED.channelSweeps) : CONFIGURED.channelSweeps;
  const socketMessages = wakes.filter((w) => w.kind === "message").length / r.idleSeconds;
  // The median: one slow answer on a busy machine should not set a month's duration.
  const workerMs = (names) => {
    const xs = r.idleRequests.filter((e) => names.includes(endpointOf(e))).map((e) => e.ms).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor((xs.length - 1) / 2)] : WRITE_MS;
  };
  return {
    channel, clean, renewals, polls, statusWrites, reconnects, other, channelSweeps, socketMessages,
    workerRequests: renewals + polls + statusWrites + reconnects + other,
    // Long-poll: its channel shard. Connect: its shard. Lease renewal: the lease's namespace store +
    // the heartbeat RPC to the cluster store. Node status: the cluster store (+ the fan-out, if any).
    // Incoming socket messages bill 20:1.
    doRequests: polls + reconnects + 2 * renewals + statusWrites * (1 + statusFanout) + other + socketMessages / 20,
    credentialDoRequests:
      renewals * CREDENTIAL_DO_REQUESTS.renewalWithStatus + polls * CREDENTIAL_DO_REQUESTS.poll + reconnects * CREDENTIAL_DO_REQUESTS.connect,
    clusterAlarms: clusterAlarmRate,
    writeMs: workerMs(["lease renewal", "node status"]),
    alarmMs: clusterAlarms.length ? clusterAlarms.reduce((a, b) => a + b.ms, 0) / clusterAlarms.length : 0,
    probeAlarms,
    statusFanout,
  };
}

/** A month of `n` idle nodes; `credentials` counts the node credentials' limiter and review requests. */
export function monthlyIdleCost(n, k, shards = SHARDS, { credentials = true } = {}) {
  const s = MONTH_S;
  const shardsInUse = shards * (1 - (1 - 1 / shards) ** n);
  const socket = k.channel === "websocket";
  // Cluster-store alarm runs seen while idle (the sweep runs only for Lease-tracked nodes), scaled
  // with the fleet but bounded at 10 per second; each used shard's sweep, fleet-constant.
  const clusterAlarms = Math.min(n * k.clusterAlarms, 10) * s;
  const channelSweeps = shardsInUse * k.channelSweeps * s;
  const workerRequests = n * k.workerRequests * s;
  const doRequests = n * (k.doRequests + (credentials ? k.credentialDoRequests : 0)) * s + clusterAlarms + channelSweeps;
  // Parked polls keep each shard awake; with sockets a shard is billed only while a sweep runs.
  // The lease store and the cluster store are billed while they handle a write: upper bound, the
  // write's whole Worker time through wrangler's proxy.
  const shardSeconds = socket ? (channelSweeps * SWEEP_MS) / 1000 : shardsInUse * s;
  const leaseStoreSeconds = Math.min(s, (n * k.renewals * s * k.writeMs) / 1000);
  const clusterStoreSeconds = Math.min(s, (n * (k.renewals + k.statusWrites) * s * k.writeMs + clusterAlarms * k.alarmMs) / 1000);
  const gbSeconds = (shardSeconds + leaseStoreSeconds + clusterStoreSeconds) * DO_GB;
  const renewals = n * k.renewals * s;
  const statusWrites = n * k.statusWrites * s;
  const rowsWritten = (w) =>
    renewals * ROWS.renewal[w] + statusWrites * ROWS.status[w] + clusterAlarms * ROWS.clusterAlarm[w] + channelSweeps * ROWS.channelSweep;
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
    n, shardsInUse, awakeShards: socket ? 0 : shardsInUse, workerRequests, cpuMs, doRequests, gbSeconds, rowsRead,
    rowsWrittenLow: rowsWritten("low"), rowsWrittenHigh: rowsWritten("high"), cost,
    totalLow: PRICES.base + common + cost.rowsWrittenLow,
    totalHigh: PRICES.base + common + cost.rowsWrittenHigh,
  };
}
