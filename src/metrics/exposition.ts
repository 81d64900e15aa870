/**
 * Prometheus text exposition (format 0.0.4) for counters, gauges and
 * histograms with labels. Shared by the control plane (Workers) and the agent
 * (Node.js): plain data in, text out, no runtime APIs.
 */

export type Labels = Record<string, string>;

export interface CounterFamily {
  type: "counter";
  name: string;
  help: string;
  samples: { labels: Labels; value: number }[];
}
export interface GaugeFamily {
  type: "gauge";
  name: string;
  help: string;
  samples: { labels: Labels; value: number }[];
}
export interface HistogramFamily {
  type: "histogram";
  name: string;
  help: string;
  /** Upper bounds, ascending, without +Inf. */
  buckets: number[];
  /** counts[i] is the number of observations ≤ buckets[i] not counted in an earlier bucket; one extra slot for +Inf. */
  samples: { labels: Labels; counts: number[]; sum: number }[];
}
export type MetricFamily = CounterFamily | GaugeFamily | HistogramFamily;

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
}

function number(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export function render(families: MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === "histogram") {
      for (const s of f.samples) {
        let cumulative = 0;
        f.buckets.forEach((le, i) => {
          cumulative += s.counts[i] ?? 0;
          out.push(`${f.name}_bucket${labelText(s.labels, ["le", number(le)])} ${cumulative}`);
        });
        cumulative += s.counts[f.buckets.length] ?? 0;
        out.push(`${f.name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${cumulative}`);
        out.push(`${f.name}_sum${labelText(s.labels)} ${number(s.sum)}`, `${f.name}_count${labelText(s.labels)} ${cumulative}`);
      }
    } else for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${number(s.value)}`);
  }
  return out.join("\n") + "\n";
}

/** The bucket an observation falls in (index into counts). */
export function bucketIndex(buckets: number[], value: number): number {
  const i = buckets.findIndex((le) => value <= le);
  return i === -1 ? buckets.length : i;
}

/** Upstream's apiserver_request_duration_seconds buckets, trimmed. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
