/** Bindings of the Worker (wrangler.toml, secrets). */
import type { MetricsStore } from "./durable/metrics-store.js";
import type { NodeChannel } from "./durable/node-channel.js";
import type { ResourceStore } from "./durable/resource-store.js";

export interface Env {
  STORE: DurableObjectNamespace<ResourceStore>;
  NODE_CHANNEL: DurableObjectNamespace<NodeChannel>;
  /** Totals behind /metrics (src/durable/metrics-store.ts). */
  METRICS: DurableObjectNamespace<MetricsStore>;
  /** Bootstrap admin bearer token (`wrangler secret put ADMIN_TOKEN`; a dev vars file locally). */
  ADMIN_TOKEN: string;
  SERVICE_CIDR?: string;
  NODE_CHANNEL_SHARDS?: string;
  /** How long a node may stay silent before it is NotReady (default 40 s, as upstream). */
  NODE_MONITOR_GRACE_SECONDS?: string;
  /** "1": the scheduler benchmark's baseline, round-robin placement without filtering or scoring. */
  SCHEDULER_BASELINE?: string;
  /** "1": log each alarm run's controller work and wall time (the scheduler benchmark reads it). */
  LOG_ALARM_RUNS?: string;
}
