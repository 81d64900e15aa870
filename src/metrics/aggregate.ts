/**
 * Counters and histograms kept as mergeable deltas: a Worker isolate counts
 * locally and now and then hands its deltas to the store that keeps the
 * totals, which renders them for /metrics. Keys are a metric name plus its
 * sorted labels, so the same series from two isolates adds up.
 */
import { bucketIndex, type Labels } from "./exposition.js";

export interface SeriesDelta {
  name: string;
  labels: Labels;
  /** Counter increment, or histogram sum of observations. */
  value: number;
  /** Histogram bucket counts (absent for counters). */
  counts?: number[];
}

export const seriesKey = (name: string, labels: Labels) =>
  `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;

export class DeltaRecorder {
  private series = new Map<string, SeriesDelta>();

  count(name: string, labels: Labels, by = 1): void {
    const key = seriesKey(name, labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { name, labels, value: by });
  }

  observe(name: string, labels: Labels, buckets: number[], value: number): void {
    const key = seriesKey(name, labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { name, labels, value: 0, counts: new Array(buckets.length + 1).fill(0) }));
    s.value += value;
    s.counts![bucketIndex(buckets, value)]++;
  }

  get size(): number {
    return this.series.size;
  }

  /** The deltas so far, and a fresh start. */
  drain(): SeriesDelta[] {
    const out = [...this.series.values()];
    this.series.clear();
    return out;
  }
}

/** Adds deltas into totals (in place). */
export function mergeDeltas(totals: Map<string, SeriesDelta>, deltas: SeriesDelta[]): void {
  for (const d of deltas) {
    const key = seriesKey(d.name, d.labels);
    const t = totals.get(key);
    if (!t) {
      totals.set(key, { name: d.name, labels: d.labels, value: d.value, counts: d.counts ? [...d.counts] : undefined });
      continue;
    }
    t.value += d.value;
    if (d.counts) {
      t.counts ??= new Array(d.counts.length).fill(0);
      d.counts.forEach((c, i) => (t.counts![i] = (t.counts![i] ?? 0) + c));
    }
  }
}
