import { describe, expect, it } from "vitest";
import { ownedBy, testNode, testPod } from "../testing/nodes.js";
import { assumePod, buildNodeInfos, forgetPod, podContribution } from "./node-info.js";

describe("buildNodeInfos", () => {
  it("aggregates bound pods per node, skipping finished pods and unknown nodes", () => {
    const rs = ownedBy("ReplicaSet", "web", "rs-1");
    const infos = buildNodeInfos(
      [testNode("a", { cpu: "2", memory: "4Gi", pods: 10 })],
      [
        testPod("p1", { nodeName: "a", cpu: "500m", memory: "1Gi", owner: rs, hostPort: 80 }),
        testPod("p2", { nodeName: "a", owner: rs }),
        testPod("done", { nodeName: "a", cpu: "1", phase: "Succeeded" }),
        testPod("elsewhere", { nodeName: "zz", cpu: "1" }),
      ],
    );
    const a = infos.byName.get("a")!;
    expect(a.allocatable).toEqual({ cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3, pods: 10 });
    expect(a.requested).toEqual({ cpuMilli: 500, memoryBytes: 1024 ** 3, pods: 2 });
    // The request-free pod counts 100m / 200Mi for scoring only.
    expect(a.nonZeroRequested).toEqual({ cpuMilli: 600, memoryBytes: 1024 ** 3 + 200 * 1024 ** 2 });
    expect(a.ownerPods.get("rs-1")).toBe(2);
    expect([...a.usedPorts.keys()]).toEqual(["TCP/80"]);
  });

  it("moves and forgets pods incrementally, back to an empty node", () => {
    const infos = buildNodeInfos([testNode("a"), testNode("b")], []);
    const pod = testPod("p", { cpu: "1", hostPort: 443, owner: ownedBy("ReplicaSet", "x", "rs") });
    const c = podContribution(pod);
    assumePod(infos, "a", "p", c);
    assumePod(infos, "a", "p", c);
    expect(infos.byName.get("a")!.requested.pods).toBe(1);
    assumePod(infos, "b", "p", c);
    expect(infos.byName.get("a")!.requested).toEqual({ cpuMilli: 0, memoryBytes: 0, pods: 0 });
    expect(infos.byName.get("b")!.requested.cpuMilli).toBe(1000);
    forgetPod(infos, "p");
    const b = infos.byName.get("b")!;
    expect(b.requested).toEqual({ cpuMilli: 0, memoryBytes: 0, pods: 0 });
    expect(b.usedPorts.size).toBe(0);
    expect(b.ownerPods.size).toBe(0);
  });
});
