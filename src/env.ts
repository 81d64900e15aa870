/** Bindings of the Worker (wrangler.toml, secrets). */
import type { MetricsStore } from "./durable/metrics-store.js";
import type { NodeChannel } from "./durable/node-channel.js";
import type { ResourceStore } from "./durable/resource-store.js";
import type { RequestLimiter } from "./durable/request-limiter.js";

export interface Env {
  STORE: DurableObjectNamespace<ResourceStore>;
  NODE_CHANNEL: DurableObjectNamespace<NodeChannel>;
  /** Totals behind /metrics (src/durable/metrics-store.ts). */
  METRICS: DurableObjectNamespace<MetricsStore>;
  /** Per-token request rate and open watches (src/api/limits.ts). */
  REQUEST_LIMITER: DurableObjectNamespace<RequestLimiter>;
  /** Bootstrap admin bearer token (`wrangler secret put ADMIN_TOKEN`; a dev vars file locally). */
  ADMIN_TOKEN: string;
  /** How long (s, at most 10) an isolate trusts a token it looked up; "0": ask the store every time (docs/security.md). */
  AUTH_CACHE_SECONDS?: string;
  /** Service cluster IPs come from here (default 10.96.0.0/12); .1 is the `kubernetes` Service's, .10 cluster DNS's. */
  SERVICE_CIDR?: string;
  /** Node ports of NodePort/LoadBalancer Services, "first-last" (default 30000-32767). */
  SERVICE_NODE_PORT_RANGE?: string;
  NODE_CHANNEL_SHARDS?: string;
  /** How long a node may stay silent before it is NotReady (default 40 s, as upstream). */
  NODE_MONITOR_GRACE_SECONDS?: string;
  /** "1": the scheduler benchmark's baseline, round-robin placement without filtering or scoring. */
  SCHEDULER_BASELINE?: string;
  /** "1": log each alarm run's controller work and wall time (the scheduler benchmark reads it). */
  LOG_ALARM_RUNS?: string;
  /** Key-encryption key for Secrets at rest: base64 of 32 bytes (`wrangler secret put SECRETS_KEK`). Required. */
  SECRETS_KEK?: string;
  /** The KEK before the last rotation, kept until every store re-wrapped its keys (docs/security.md). */
  SECRETS_KEK_PREVIOUS?: string;
  /** Requests per second and burst per token (default 50 and 100). */
  RATE_LIMIT_QPS?: string;
  RATE_LIMIT_BURST?: string;
  /** system:masters is exempt from the request rate unless these are set. */
  ADMIN_RATE_LIMIT_QPS?: string;
  ADMIN_RATE_LIMIT_BURST?: string;
  /** Open watches and long-polls per token (default 100). */
  WATCH_LIMIT?: string;
}
