import { describe, expect, it } from "vitest";
import { testNode } from "../testing/nodes.js";
import {
  conditionTaints,
  matchingTolerations,
  minTolerationSeconds,
  schedulingTaints,
  toleratesTaint,
  withDefaultTolerations,
} from "./taints.js";

describe("toleratesTaint", () => {
  const taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" as const };
  it("treats an empty operator as Equal and compares values", () => {
    expect(toleratesTaint({ key: "dedicated", value: "gpu" }, taint)).toBe(true);
    expect(toleratesTaint({ key: "dedicated", value: "cpu" }, taint)).toBe(false);
    expect(toleratesTaint({ key: "dedicated" }, taint)).toBe(false);
  });
  it("matches any key with an empty-key Exists, and respects the effect", () => {
    expect(toleratesTaint({ operator: "Exists" }, taint)).toBe(true);
    expect(toleratesTaint({ operator: "Exists", effect: "NoExecute" }, taint)).toBe(false);
  });
});

describe("NoExecute toleration time", () => {
  const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" as const };
  it("uses the smallest tolerationSeconds of the matching tolerations, -1 for forever", () => {
    const { tolerated, used } = matchingTolerations([unreachable], [{ key: unreachable.key, operator: "Exists", tolerationSeconds: 30 }]);
    expect(tolerated).toBe(true);
    expect(minTolerationSeconds(used)).toBe(30);
    expect(minTolerationSeconds([{ operator: "Exists" }])).toBe(-1);
    expect(minTolerationSeconds([{ operator: "Exists", tolerationSeconds: -5 }])).toBe(0);
    expect(matchingTolerations([unreachable], []).tolerated).toBe(false);
  });

  it("adds the admission plugin's 300 s defaults only where the pod has no say", () => {
    expect(withDefaultTolerations(undefined)).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    const own = [{ key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 5 }];
    expect(withDefaultTolerations(own).map((t) => [t.key, t.tolerationSeconds])).toEqual([
      ["node.kubernetes.io/unreachable", 5],
      ["node.kubernetes.io/not-ready", 300],
    ]);
    expect(withDefaultTolerations([{ operator: "Exists" }])).toEqual([{ operator: "Exists" }]);
  });
});

describe("taints derived from node state", () => {
  it("maps conditions and cordoning to NoSchedule taints", () => {
    const node = testNode("n1", { ready: "Unknown", unschedulable: true });
    node.status!.conditions!.push({ type: "DiskPressure", status: "True" });
    expect(conditionTaints(node).map((t) => t.key)).toEqual([
      "node.kubernetes.io/unreachable",
      "node.kubernetes.io/disk-pressure",
      "node.kubernetes.io/unschedulable",
    ]);
  });

  it("implies the Ready taint for scheduling only when it is not already there", () => {
    expect(schedulingTaints(testNode("n1"))).toEqual([]);
    expect(schedulingTaints(testNode("n1", { ready: "False" }))).toEqual([{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }]);
    const written = testNode("n1", { ready: "Unknown", taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }] });
    expect(schedulingTaints(written)).toHaveLength(1);
  });
});
