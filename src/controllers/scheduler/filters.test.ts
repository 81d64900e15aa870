import { describe, expect, it } from "vitest";
import { testNode, testPod } from "../testing/nodes.js";
import {
  ReasonInsufficientCPU,
  ReasonInsufficientMemory,
  ReasonNodeAffinity,
  ReasonNodeBeingDeleted,
  ReasonNodePorts,
  ReasonNodeUnschedulable,
  ReasonTooManyPods,
  compilePod,
  filterNode,
} from "./filters.js";
import { buildNodeInfos } from "./node-info.js";
import type { Node, Pod } from "../../schema/core.js";

function check(pod: Pod, node: Node, bound: Pod[] = []) {
  const infos = buildNodeInfos([node], bound);
  return filterNode(compilePod(pod), infos.list[0]);
}

describe("node state", () => {
  it("accepts a ready, uncordoned node", () => {
    expect(check(testPod("p"), testNode("n1"))).toBeUndefined();
  });

  it("rejects a node being deleted", () => {
    expect(check(testPod("p"), testNode("n1", { deleting: true }))?.reasons).toEqual([ReasonNodeBeingDeleted]);
  });

  it("rejects a cordoned node unless the pod tolerates the unschedulable taint", () => {
    const node = testNode("n1", { unschedulable: true });
    expect(check(testPod("p"), node)).toEqual({ reasons: [ReasonNodeUnschedulable], resolvable: false });
    const tolerant = testPod("p", {
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
    });
    expect(check(tolerant, node)).toBeUndefined();
  });

  it("treats a Ready=Unknown node as tainted unreachable even before the taint is written", () => {
    const f = check(testPod("p"), testNode("n1", { ready: "Unknown" }));
    expect(f?.reasons).toEqual(["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"]);
  });

  it("treats Ready=False and a node that never reported as not-ready", () => {
    for (const ready of ["False", null] as const) {
      expect(check(testPod("p"), testNode("n1", { ready }))?.reasons).toEqual([
        "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
      ]);
    }
  });
});

describe("taints and tolerations", () => {
  const gpu = testNode("n1", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });

  it("rejects an untolerated NoSchedule taint with upstream's wording", () => {
    expect(check(testPod("p"), gpu)).toEqual({
      reasons: ["node(s) had untolerated taint {dedicated: gpu}"],
      resolvable: false,
    });
  });

  it("accepts Equal and Exists tolerations, and a wildcard Exists", () => {
    for (const t of [
      { key: "dedicated", operator: "Equal" as const, value: "gpu", effect: "NoSchedule" as const },
      { key: "dedicated", operator: "Exists" as const },
      { operator: "Exists" as const },
    ]) {
      expect(check(testPod("p", { tolerations: [t] }), gpu)).toBeUndefined();
    }
  });

  it("rejects a toleration with the wrong value or effect", () => {
    expect(check(testPod("p", { tolerations: [{ key: "dedicated", value: "cpu" }] }), gpu)).toBeDefined();
    expect(
      check(testPod("p", { tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }] }), gpu),
    ).toBeDefined();
  });

  it("filters NoExecute taints but not PreferNoSchedule ones", () => {
    expect(check(testPod("p"), testNode("n1", { taints: [{ key: "k", effect: "NoExecute" }] }))).toBeDefined();
    expect(check(testPod("p"), testNode("n1", { taints: [{ key: "k", effect: "PreferNoSchedule" }] }))).toBeUndefined();
  });
});

describe("node selector and required node affinity", () => {
  const node = testNode("n1", { labels: { disk: "ssd", zone: "a", cores: "16" } });
  const affinity = (terms: object[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  });
  const fits = (pod: Pod) => check(pod, node) === undefined;

  it("matches nodeSelector exactly", () => {
    expect(fits(testPod("p", { nodeSelector: { disk: "ssd" } }))).toBe(true);
    expect(check(testPod("p", { nodeSelector: { disk: "hdd" } }), node)?.reasons).toEqual([ReasonNodeAffinity]);
  });

  it("evaluates In, NotIn, Exists, DoesNotExist, Gt and Lt", () => {
    const expr = (key: string, operator: string, values?: string[]) =>
      fits(testPod("p", { affinity: affinity([{ matchExpressions: [{ key, operator, values }] }]) as never }));
    expect(expr("zone", "In", ["a", "b"])).toBe(true);
    expect(expr("zone", "In", ["b"])).toBe(false);
    expect(expr("zone", "NotIn", ["b"])).toBe(true);
    expect(expr("missing", "NotIn", ["b"])).toBe(true);
    expect(expr("zone", "NotIn", ["a"])).toBe(false);
    expect(expr("disk", "Exists")).toBe(true);
    expect(expr("gpu", "Exists")).toBe(false);
    expect(expr("gpu", "DoesNotExist")).toBe(true);
    expect(expr("cores", "Gt", ["8"])).toBe(true);
    expect(expr("cores", "Gt", ["16"])).toBe(false);
    expect(expr("cores", "Lt", ["32"])).toBe(true);
    expect(expr("zone", "Gt", ["1"])).toBe(false);
    expect(expr("constructor", "Exists")).toBe(false);
  });

  it("ORs terms and ANDs the requirements inside a term", () => {
    const both = [{ key: "zone", operator: "In", values: ["a"] }, { key: "disk", operator: "In", values: ["hdd"] }];
    expect(fits(testPod("p", { affinity: affinity([{ matchExpressions: both }]) as never }))).toBe(false);
    const either = [
      { matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] },
      { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
    ];
    expect(fits(testPod("p", { affinity: affinity(either) as never }))).toBe(true);
  });

  it("matches matchFields metadata.name, and an empty term matches nothing", () => {
    const byName = (name: string) =>
      affinity([{ matchFields: [{ key: "metadata.name", operator: "In", values: [name] }] }]) as never;
    expect(fits(testPod("p", { affinity: byName("n1") }))).toBe(true);
    expect(fits(testPod("p", { affinity: byName("n2") }))).toBe(false);
    expect(fits(testPod("p", { affinity: affinity([{}]) as never }))).toBe(false);
    expect(fits(testPod("p", { affinity: affinity([]) as never }))).toBe(false);
  });

  it("requires both nodeSelector and affinity to match", () => {
    const pod = testPod("p", {
      nodeSelector: { disk: "hdd" },
      affinity: affinity([{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }]) as never,
    });
    expect(fits(pod)).toBe(false);
  });
});

describe("host ports", () => {
  const node = testNode("n1");
  it("rejects a host port already taken on the node", () => {
    const bound = [testPod("old", { nodeName: "n1", hostPort: 8080 })];
    expect(check(testPod("p", { hostPort: 8080 }), node, bound)).toEqual({ reasons: [ReasonNodePorts], resolvable: true });
    expect(check(testPod("p", { hostPort: 8081 }), node, bound)).toBeUndefined();
  });

  it("lets different host IPs share a port, but 0.0.0.0 collides with any", () => {
    const withIP = (name: string, ip: string, nodeName?: string) =>
      testPod(name, {
        nodeName,
        containers: [{ name: "c", ports: [{ containerPort: 80, hostPort: 80, hostIP: ip }] }],
      });
    const bound = [withIP("old", "10.0.0.1", "n1")];
    expect(check(withIP("p", "10.0.0.2"), node, bound)).toBeUndefined();
    expect(check(withIP("p", "10.0.0.1"), node, bound)).toBeDefined();
    expect(check(withIP("p", "0.0.0.0"), node, bound)).toBeDefined();
  });

  it("does not count finished pods", () => {
    const bound = [testPod("old", { nodeName: "n1", hostPort: 8080, phase: "Succeeded" })];
    expect(check(testPod("p", { hostPort: 8080 }), node, bound)).toBeUndefined();
  });
});

describe("resources", () => {
  it("rejects insufficient cpu and memory, reporting both", () => {
    const node = testNode("n1", { cpu: "2", memory: "1Gi" });
    const bound = [testPod("old", { nodeName: "n1", cpu: "1500m", memory: "768Mi" })];
    expect(check(testPod("p", { cpu: "600m", memory: "512Mi" }), node, bound)).toEqual({
      reasons: [ReasonInsufficientCPU, ReasonInsufficientMemory],
      resolvable: true,
    });
    expect(check(testPod("p", { cpu: "500m", memory: "256Mi" }), node, bound)).toBeUndefined();
  });

  it("rejects a pod over the node's pod count", () => {
    const node = testNode("n1", { pods: 2 });
    const bound = [testPod("a", { nodeName: "n1" }), testPod("b", { nodeName: "n1" })];
    expect(check(testPod("p"), node, bound)?.reasons).toEqual([ReasonTooManyPods]);
  });

  it("takes the largest init container instead of adding them up", () => {
    const node = testNode("n1", { cpu: "2" });
    const pod = testPod("p", {
      containers: [{ name: "app", resources: { requests: { cpu: "500m" } } }],
      initContainers: [
        { name: "migrate", resources: { requests: { cpu: "1500m" } } },
        { name: "warm", resources: { requests: { cpu: "1" } } },
      ],
    });
    expect(check(pod, node)).toBeUndefined();
    const bound = [testPod("old", { nodeName: "n1", cpu: "600m" })];
    expect(check(pod, node, bound)?.reasons).toEqual([ReasonInsufficientCPU]);
  });

  it("lets a request-free pod onto a full node as long as the pod count allows", () => {
    const node = testNode("n1", { cpu: "1" });
    const bound = [testPod("old", { nodeName: "n1", cpu: "1" })];
    expect(check(testPod("p"), node, bound)).toBeUndefined();
  });

  it("stops at the first failing plugin: a tainted full node reports only the taint", () => {
    const node = testNode("n1", { cpu: "1", taints: [{ key: "k", value: "v", effect: "NoSchedule" }] });
    expect(check(testPod("p", { cpu: "2" }), node)?.reasons).toEqual(["node(s) had untolerated taint {k: v}"]);
  });
});

it("counts a pod already reserved on the node only once", () => {
  const node = testNode("n1", { cpu: "1" });
  const pod = testPod("p", { uid: "same", cpu: "1" });
  const bound = [testPod("p", { uid: "same", cpu: "1", nodeName: "n1" })];
  expect(check(pod, node, bound)).toBeUndefined();
});
