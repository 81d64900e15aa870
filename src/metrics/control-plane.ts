/**
 * The control plane's metric families and how scrape-time gauges are derived
 * (pure: data in, families out), so they are testable without a runtime.
 */
import { LATENCY_BUCKETS, type HistogramFamily, type MetricFamily } from "./exposition.js";
import type { SeriesDelta } from "./aggregate.js";

export const REQUESTS = "apiserver_request_total";
export const REQUEST_DURATION = "apiserver_request_duration_seconds";
export const SCHEDULING_ATTEMPT_DURATION = "scheduler_scheduling_attempt_duration_seconds";
export const WATCHES_GAUGE = "watches";

const HELP: Record<string, string> = {
  [REQUESTS]: "API requests, by verb, resource (with subresource) and HTTP code.",
  [REQUEST_DURATION]: "API request latency until the answer's headers, by verb and resource (watches: until the stream opens).",
  [SCHEDULING_ATTEMPT_DURATION]: "Time of one scheduling attempt per pod (filter, score, reserve on the capacity ledger), by result.",
};
const HISTOGRAM_BUCKETS: Record<string, number[]> = { [REQUEST_DURATION]: LATENCY_BUCKETS, [SCHEDULING_ATTEMPT_DURATION]: LATENCY_BUCKETS };

export interface ScrapeState {
  series: SeriesDelta[];
  /** Per-isolate gauges summed over live isolates. */
  gauges: Record<string, number>;
  nodes: { conditions?: { type: string; status: string }[] }[];
  pendingPods: number;
}

/** NotReady/Unknown as `kubectl get nodes` shows them. */
export function nodeReadiness(node: { conditions?: { type: string; status: string }[] }): "Ready" | "NotReady" | "Unknown" {
  const ready = node.conditions?.find((c) => c.type === "Ready");
  return ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown";
}

export function controlPlaneFamilies(s: ScrapeState): MetricFamily[] {
  const families: MetricFamily[] = [];
  const byName = new Map<string, SeriesDelta[]>();
  for (const d of s.series) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  for (const name of [REQUESTS, REQUEST_DURATION, SCHEDULING_ATTEMPT_DURATION]) {
    const series = byName.get(name) ?? [];
    const buckets = HISTOGRAM_BUCKETS[name];
    if (buckets)
      families.push({
        type: "histogram",
        name,
        help: HELP[name],
        buckets,
        samples: series.map((d) => ({ labels: d.labels, counts: d.counts ?? [], sum: d.value })),
      } satisfies HistogramFamily);
    else families.push({ type: "counter", name, help: HELP[name], samples: series.map((d) => ({ labels: d.labels, value: d.value })) });
  }
  const readiness = { Ready: 0, NotReady: 0, Unknown: 0 };
  for (const n of s.nodes) readiness[nodeReadiness(n)]++;
  families.push(
    { type: "gauge", name: "scheduler_pending_pods", help: "Pods not yet bound to a node, across all namespaces.", samples: [{ labels: {}, value: s.pendingPods }] },
    {
      type: "gauge",
      name: "kubeflare_nodes",
      help: "Nodes by Ready condition.",
      samples: Object.entries(readiness).map(([condition, value]) => ({ labels: { condition }, value })),
    },
    {
      type: "gauge",
      name: "kubeflare_apiserver_watch_connections",
      help: "Watch streams open right now (summed over the Worker isolates that reported in the last two minutes).",
      samples: [{ labels: {}, value: s.gauges[WATCHES_GAUGE] ?? 0 }],
    },
  );
  return families;
}
