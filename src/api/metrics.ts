/**
 * /metrics on the control plane, and the request counting behind it. Each
 * isolate counts locally and hands its deltas to the MetricsStore at most
 * every FLUSH_MS (and before answering a scrape), so counting costs no
 * Durable Object call per request.
 */
import type { MiddlewareHandler } from "hono";
import { requestAttributes } from "../auth/request-attributes.js";
import { clusterStore, namespaceStore } from "../durable/stubs.js";
import { DeltaRecorder } from "../metrics/aggregate.js";
import { controlPlaneFamilies, REQUEST_DURATION, REQUESTS, WATCHES_GAUGE } from "../metrics/control-plane.js";
import { CONTENT_TYPE, LATENCY_BUCKETS, render } from "../metrics/exposition.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app.js";

const FLUSH_MS = 10_000;
// Random values are not allowed at global scope in Workers: named on first flush.
let isolate: string | undefined;
const recorder = new DeltaRecorder();
let openWatches = 0;
let reportedWatches = 0;
let lastFlush = 0;

const metricsStore = (env: Env) => env.METRICS.get(env.METRICS.idFromName("metrics"));

function flush(env: Env): Promise<void> {
  lastFlush = Date.now();
  reportedWatches = openWatches;
  isolate ??= crypto.randomUUID();
  return metricsStore(env).record(recorder.drain(), { source: isolate, values: { [WATCHES_GAUGE]: openWatches } });
}

/** Counts a watch as open until its stream ends or the client goes away. */
function trackWatch(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let closed = false;
  const close = () => {
    if (!closed) (closed = true), openWatches--;
  };
  openWatches++;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          close();
          controller.close();
        } else controller.enqueue(value);
      } catch (e) {
        close();
        controller.error(e);
      }
    },
    cancel(reason) {
      close();
      return reader.cancel(reason);
    },
  });
}

export function requestMetrics(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    await next();
    const attrs = requestAttributes(c.req.method, new URL(c.req.url));
    const resource = attrs.kind === "resource" ? (attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource) : "";
    const labels = { verb: attrs.verb.toUpperCase(), resource };
    recorder.count(REQUESTS, { ...labels, code: String(c.res.status) });
    recorder.observe(REQUEST_DURATION, labels, LATENCY_BUCKETS, (Date.now() - started) / 1000);
    if (attrs.verb === "watch" && c.res.ok && c.res.body) c.res = new Response(trackWatch(c.res.body), c.res);
    if (Date.now() - lastFlush > FLUSH_MS || openWatches !== reportedWatches) {
      const pending = flush(c.env).catch(() => {});
      try {
        c.executionCtx.waitUntil(pending);
      } catch {
        // No execution context (unit tests): the promise runs on its own.
      }
    }
  };
}

/** Unbound pods across namespaces: one list per namespace, fine at scrape intervals for a fleet's handful of namespaces. */
async function pendingPods(env: Env): Promise<number> {
  const namespaces = await clusterStore(env).list("namespaces", {});
  if (!namespaces.ok) return 0;
  const counts = await Promise.all(
    namespaces.value.items.map(async (ns) => {
      const pods = await namespaceStore(env, ns.metadata.name!).list("pods", { fieldSelector: "spec.nodeName=" });
      return pods.ok ? pods.value.items.filter((p) => !p.metadata.deletionTimestamp).length : 0;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export async function metricsResponse(env: Env): Promise<Response> {
  await flush(env);
  const [snapshot, nodes, pending] = await Promise.all([metricsStore(env).snapshot(), clusterStore(env).list("nodes", {}), pendingPods(env)]);
  const text = render(
    controlPlaneFamilies({
      series: snapshot.series,
      gauges: snapshot.gauges,
      nodes: nodes.ok ? nodes.value.items.map((n) => ({ conditions: (n as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions })) : [],
      pendingPods: pending,
    }),
  );
  return new Response(text, { headers: { "content-type": CONTENT_TYPE } });
}
