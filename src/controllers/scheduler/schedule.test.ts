import { describe, expect, it } from "vitest";
import { ownedBy, testNode, testPod } from "../testing/nodes.js";
import { seededRandom } from "../../testing/seeded-random.js";
import { buildNodeInfos } from "./node-info.js";
import { podRequests } from "./resources.js";
import { fitsOnNode, needsScheduling, scheduleBatch, schedulePod } from "./schedule.js";
import type { Pod } from "../../schema/core.js";

const first = () => 0.999;
const rs = ownedBy("ReplicaSet", "web-5d4f", "rs-uid");

describe("scores", () => {
  it("prefers the less allocated node", () => {
    const nodes = [testNode("busy"), testNode("idle")];
    const bound = [testPod("hog", { nodeName: "busy", cpu: "2", memory: "4Gi" })];
    expect(schedulePod(testPod("p", { cpu: "100m" }), nodes, bound, { random: first })).toEqual({ nodeName: "idle" });
  });

  it("spreads pods of the same controller even onto a slightly busier node", () => {
    const nodes = [testNode("a"), testNode("b")];
    const bound = [
      testPod("web-1", { nodeName: "a", cpu: "100m", memory: "128Mi", owner: rs }),
      testPod("web-2", { nodeName: "a", cpu: "100m", memory: "128Mi", owner: rs }),
      testPod("other", { nodeName: "b", cpu: "300m", memory: "512Mi" }),
    ];
    const sibling = testPod("web-3", { cpu: "100m", memory: "128Mi", owner: rs });
    expect(schedulePod(sibling, nodes, bound, { random: first })).toEqual({ nodeName: "b" });
    // Without an owner only allocation counts, and "a" is emptier.
    const loner = testPod("solo", { cpu: "100m", memory: "128Mi" });
    expect(schedulePod(loner, nodes, bound, { random: first })).toEqual({ nodeName: "a" });
  });

  it("avoids PreferNoSchedule taints the pod does not tolerate", () => {
    const nodes = [testNode("soft", { taints: [{ key: "spot", effect: "PreferNoSchedule" }] }), testNode("plain")];
    expect(schedulePod(testPod("p"), nodes, [], { random: () => 0 })).toEqual({ nodeName: "plain" });
    const tolerant = testPod("p", { tolerations: [{ key: "spot", operator: "Exists" }] });
    // Tolerated, the two nodes tie and the tie-break decides.
    expect(schedulePod(tolerant, nodes, [], { random: first })).toEqual({ nodeName: "soft" });
  });

  it("follows preferred node affinity", () => {
    const nodes = [testNode("a", { labels: { disk: "hdd" } }), testNode("b", { labels: { disk: "ssd" } })];
    const pod = testPod("p", {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
          ],
        },
      },
    });
    expect(schedulePod(pod, nodes, [], { random: first })).toEqual({ nodeName: "b" });
  });

  it("breaks ties with the random source", () => {
    const nodes = [testNode("a"), testNode("b"), testNode("c")];
    expect(schedulePod(testPod("p"), nodes, [], { random: first })).toEqual({ nodeName: "a" });
    expect(schedulePod(testPod("p"), nodes, [], { random: () => 0 })).toEqual({ nodeName: "c" });
  });
});

describe("unschedulable message", () => {
  it("counts reasons per node, sorted as upstream, with the preemption verdict", () => {
    const nodes = [
      testNode("n1", { memory: "1Gi" }),
      testNode("n2", { memory: "1Gi" }),
      testNode("n3", { ready: "Unknown" }),
    ];
    const result = schedulePod(testPod("p", { memory: "2Gi" }), nodes, [], { random: first });
    expect(result).toEqual({
      unschedulable:
        "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient memory. " +
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    });
  });

  it("reports every node's taint as not helpful for preemption", () => {
    const nodes = ["a", "b", "c"].map((n) => testNode(n, { ready: "Unknown" }));
    expect(schedulePod(testPod("p"), nodes, [], { random: first })).toEqual({
      unschedulable:
        "0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. " +
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
  });

  it("sorts counts as strings, as Go's sort.Strings does", () => {
    const nodes = [
      ...Array.from({ length: 10 }, (_, i) => testNode(`small-${i}`, { cpu: "1" })),
      testNode("cordoned", { unschedulable: true }),
      testNode("other-cordoned", { unschedulable: true }),
    ];
    const r = schedulePod(testPod("p", { cpu: "2" }), nodes, [], { random: first });
    expect(r).toEqual({
      unschedulable:
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. " +
        "preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    });
  });

  it("says so when there are no nodes, and honours preemptionPolicy Never", () => {
    expect(schedulePod(testPod("p"), [], [], { random: first })).toEqual({
      unschedulable: "no nodes available to schedule pods",
    });
    const pod = testPod("p", { cpu: "8" });
    pod.spec.preemptionPolicy = "Never";
    expect(schedulePod(pod, [testNode("n1")], [], { random: first })).toEqual({
      unschedulable: "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
    });
  });
});

describe("scheduleBatch", () => {
  const onePerCpu = (n: number, prefix = "p") =>
    Array.from({ length: n }, (_, i) => testPod(`${prefix}-${i}`, { cpu: "1", uid: `${prefix}-uid-${i}` }));

  it("never oversubscribes a node across one batch", () => {
    const infos = buildNodeInfos([testNode("a"), testNode("b"), testNode("c")], []);
    const results = scheduleBatch(onePerCpu(15), infos, { random: seededRandom(7) });
    const placed = results.filter((r) => "nodeName" in r);
    expect(placed).toHaveLength(12);
    for (const info of infos.list) expect(info.requested.cpuMilli).toBe(4000);
    const failed = results.filter((r) => "unschedulable" in r);
    expect(failed).toEqual(
      Array(3).fill({
        unschedulable:
          "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
      }),
    );
  });

  it("keeps the cache valid for the next batch", () => {
    const infos = buildNodeInfos([testNode("a", { cpu: "2" })], []);
    expect(scheduleBatch(onePerCpu(1, "x"), infos, { random: first })).toEqual([{ nodeName: "a" }]);
    expect(scheduleBatch(onePerCpu(2, "y"), infos, { random: first }).map((r) => "nodeName" in r)).toEqual([
      true,
      false,
    ]);
  });

  it("spreads a ReplicaSet's pods evenly over equal nodes", () => {
    const infos = buildNodeInfos(["a", "b", "c"].map((n) => testNode(n)), []);
    const pods = Array.from({ length: 9 }, (_, i) => testPod(`web-${i}`, { uid: `w${i}`, owner: rs, cpu: "100m" }));
    scheduleBatch(pods, infos, { random: seededRandom(3) });
    expect(infos.list.map((n) => n.ownerPods.get("rs-uid"))).toEqual([3, 3, 3]);
  });

  it("places higher-priority pods first, and reports results in input order", () => {
    const infos = buildNodeInfos([testNode("a", { cpu: "1" })], []);
    const low = testPod("low", { cpu: "1", uid: "low", priority: 0 });
    const high = testPod("high", { cpu: "1", uid: "high", priority: 1000 });
    const [lowResult, highResult] = scheduleBatch([low, high], infos, { random: first });
    expect(highResult).toEqual({ nodeName: "a" });
    expect(lowResult).toHaveProperty("unschedulable");
  });

  it("counts a pod scheduled twice (a retried run) once", () => {
    const infos = buildNodeInfos([testNode("a", { cpu: "2" })], []);
    const pod = testPod("p", { cpu: "1", uid: "same" });
    expect(scheduleBatch([pod, pod], infos, { random: first })).toEqual([{ nodeName: "a" }, { nodeName: "a" }]);
    expect(infos.list[0].requested.cpuMilli).toBe(1000);
  });
});

describe("fitsOnNode (the per-node reservation check)", () => {
  const node = testNode("n1", { cpu: "2", memory: "2Gi" });
  const reserved = [testPod("a", { uid: "a", cpu: "1", nodeName: "n1" })];

  it("accepts a pod that fits next to the reservations", () => {
    expect(fitsOnNode(testPod("p", { uid: "p", cpu: "1" }), node, reserved)).toEqual({ fits: true });
  });

  it("rejects one that would oversubscribe, with the filter reasons", () => {
    expect(fitsOnNode(testPod("p", { uid: "p", cpu: "1500m" }), node, reserved)).toEqual({
      fits: false,
      reasons: ["Insufficient cpu"],
    });
  });

  it("accepts a repeated reservation of the same pod", () => {
    const again = testPod("a", { uid: "a", cpu: "2" });
    expect(fitsOnNode(again, node, [again])).toEqual({ fits: true });
  });

  it("re-checks node state: a cordoned node refuses new reservations", () => {
    expect(fitsOnNode(testPod("p"), testNode("n1", { unschedulable: true }), [])).toEqual({
      fits: false,
      reasons: ["node(s) were unschedulable"],
    });
  });
});

describe("podRequests", () => {
  it("sums containers, takes the largest init container, adds sidecars and overhead", () => {
    const pod: Pod = testPod("p", {
      containers: [
        { name: "a", resources: { requests: { cpu: "250m", memory: "64Mi" } } },
        { name: "b", resources: { requests: { cpu: "0.25", memory: "64Mi" } } },
      ],
      initContainers: [
        { name: "sidecar", restartPolicy: "Always", resources: { requests: { cpu: "100m", memory: "32Mi" } } },
        { name: "setup", resources: { requests: { cpu: "1", memory: "16Mi" } } },
      ],
    });
    pod.spec.overhead = { cpu: "10m", memory: "1Mi" };
    // app 500m + sidecar 100m = 600m < setup 1000m + sidecar 100m = 1100m; memory 160Mi vs 48Mi.
    expect(podRequests(pod)).toEqual({ cpuMilli: 1110, memoryBytes: 161 * 1024 * 1024, pods: 1 });
  });
});

describe("needsScheduling", () => {
  it("skips bound, deleting, finished, gated and foreign-scheduler pods", () => {
    expect(needsScheduling(testPod("p"))).toBe(true);
    expect(needsScheduling(testPod("p", { nodeName: "n1" }))).toBe(false);
    expect(needsScheduling(testPod("p", { deleting: true }))).toBe(false);
    expect(needsScheduling(testPod("p", { phase: "Failed" }))).toBe(false);
    const foreign = testPod("p");
    foreign.spec.schedulerName = "volcano";
    expect(needsScheduling(foreign)).toBe(false);
    const gated = testPod("p");
    (gated.spec as Record<string, unknown>).schedulingGates = [{ name: "wait" }];
    expect(needsScheduling(gated)).toBe(false);
  });
});
