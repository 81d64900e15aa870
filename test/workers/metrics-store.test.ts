import { env } from "./helpers.js";
import { describe, expect, it } from "vitest";
import { DeltaRecorder } from "../../src/metrics/aggregate.js";
import { LATENCY_BUCKETS } from "../../src/metrics/exposition.js";

describe("MetricsStore", () => {
  it("adds up deltas for hundreds of series at once (more than SQLite binds in one statement)", async () => {
    const store = env.METRICS.get(env.METRICS.idFromName("metrics-test"));
    const batch = () => {
      const r = new DeltaRecorder();
      for (let i = 0; i < 250; i++) r.count("apiserver_request_total", { verb: "GET", resource: `r${i}`, code: "200" });
      r.observe("apiserver_request_duration_seconds", { verb: "GET", resource: "pods" }, LATENCY_BUCKETS, 0.02);
      return r.drain();
    };
    await store.record(batch(), { source: "isolate-a", values: { watches: 2 } });
    await store.record(batch(), { source: "isolate-b", values: { watches: 3 } });
    const { series, gauges } = await store.snapshot();
    const counters = series.filter((s) => s.name === "apiserver_request_total");
    expect(counters).toHaveLength(250);
    expect(counters.every((s) => s.value === 2)).toBe(true);
    const histogram = series.find((s) => s.name === "apiserver_request_duration_seconds")!;
    expect(histogram.counts![2]).toBe(2);
    expect(gauges.watches).toBe(5);
  });
});
