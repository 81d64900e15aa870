import { describe, expect, it } from "vitest";
import { DeltaRecorder, mergeDeltas, type SeriesDelta } from "./aggregate.js";
import { controlPlaneFamilies, nodeReadiness, REQUEST_DURATION, REQUESTS } from "./control-plane.js";
import { bucketIndex, render } from "./exposition.js";

describe("exposition", () => {
  it("renders counters, gauges and cumulative histograms in the text format", () => {
    const text = render([
      { type: "counter", name: "c_total", help: "a counter", samples: [{ labels: { verb: "GET", code: "200" }, value: 3 }] },
      { type: "gauge", name: "g", help: "a gauge\nwith a newline", samples: [{ labels: {}, value: 1.5 }] },
      { type: "histogram", name: "h_seconds", help: "a histogram", buckets: [0.1, 1], samples: [{ labels: { verb: "LIST" }, counts: [2, 1, 1], sum: 3.25 }] },
    ]);
    expect(text).toBe(
      [
        "# HELP c_total a counter",
        "# TYPE c_total counter",
        'c_total{code="200",verb="GET"} 3',
        "# HELP g a gauge\\nwith a newline",
        "# TYPE g gauge",
        "g 1.5",
        "# HELP h_seconds a histogram",
        "# TYPE h_seconds histogram",
        'h_seconds_bucket{verb="LIST",le="0.1"} 2',
        'h_seconds_bucket{verb="LIST",le="1"} 3',
        'h_seconds_bucket{verb="LIST",le="+Inf"} 4',
        'h_seconds_sum{verb="LIST"} 3.25',
        'h_seconds_count{verb="LIST"} 4',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values", () => {
    expect(render([{ type: "gauge", name: "g", help: "h", samples: [{ labels: { path: 'a"b\\c\nd' }, value: 1 }] }])).toContain('g{path="a\\"b\\\\c\\nd"} 1');
  });

  it("puts an observation in the first bucket that holds it, else +Inf", () => {
    expect(bucketIndex([0.1, 1], 0.1)).toBe(0);
    expect(bucketIndex([0.1, 1], 0.5)).toBe(1);
    expect(bucketIndex([0.1, 1], 7)).toBe(2);
  });
});

describe("deltas", () => {
  it("adds up the same series from two isolates, whatever the label order", () => {
    const a = new DeltaRecorder();
    const b = new DeltaRecorder();
    a.count(REQUESTS, { verb: "GET", code: "200" });
    b.count(REQUESTS, { code: "200", verb: "GET" }, 2);
    a.observe(REQUEST_DURATION, { verb: "GET" }, [0.1, 1], 0.05);
    b.observe(REQUEST_DURATION, { verb: "GET" }, [0.1, 1], 2);
    const totals = new Map<string, SeriesDelta>();
    mergeDeltas(totals, a.drain());
    mergeDeltas(totals, b.drain());
    const series = [...totals.values()];
    expect(series.find((s) => s.name === REQUESTS)?.value).toBe(3);
    expect(series.find((s) => s.name === REQUEST_DURATION)).toMatchObject({ value: 2.05, counts: [1, 0, 1] });
    expect(a.size).toBe(0);
  });
});

describe("control-plane families", () => {
  it("counts nodes by readiness and reports pending pods and open watches", () => {
    const text = render(
      controlPlaneFamilies({
        series: [],
        gauges: { watches: 4 },
        nodes: [{ conditions: [{ type: "Ready", status: "True" }] }, { conditions: [{ type: "Ready", status: "False" }] }, {}],
        pendingPods: 7,
      }),
    );
    expect(text).toContain('kubeflare_nodes{condition="Ready"} 1');
    expect(text).toContain('kubeflare_nodes{condition="NotReady"} 1');
    expect(text).toContain('kubeflare_nodes{condition="Unknown"} 1');
    expect(text).toContain("scheduler_pending_pods 7");
    expect(text).toContain("kubeflare_apiserver_watch_connections 4");
    expect(nodeReadiness({ conditions: [{ type: "Ready", status: "Unknown" }] })).toBe("Unknown");
  });
});
