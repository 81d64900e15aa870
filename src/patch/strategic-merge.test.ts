import { describe, expect, it } from "vitest";
import { thrownKubeError as failure } from "../testing/thrown-kube-error.js";
import { applyStrategicMergePatch as smp } from "./strategic-merge.js";

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration";

const nginxPod = () => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "nginx", namespace: "default", labels: { app: "nginx" }, annotations: { [lastApplied]: "{}\n" } },
  spec: {
    containers: [{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80, protocol: "TCP" }] }],
    restartPolicy: "Always",
  },
});

const podSpec = () => ({
  containers: [
    { name: "web", image: "nginx:1.26", ports: [{ containerPort: 80, protocol: "TCP" }], env: [{ name: "A", value: "1" }] },
  ],
  tolerations: [{ key: "k1", operator: "Exists" }],
});

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web", team: "a" }, annotations: { [lastApplied]: "{}\n" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: { metadata: { labels: { app: "web" } }, spec: podSpec() },
  },
});

describe("bodies kubectl sends (kubectl-wire.md)", () => {
  it("§1.2 apply, image change with $setElementOrder: keeps the ports, changes the image", () => {
    const out = smp(
      nginxPod(),
      {
        metadata: { annotations: { [lastApplied]: "new\n" } },
        spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ image: "nginx:1.26", name: "nginx" }] },
      },
      "Pod",
    ) as any;
    expect(out.spec.containers).toEqual([{ name: "nginx", image: "nginx:1.26", ports: [{ containerPort: 80, protocol: "TCP" }] }]);
    expect(out.metadata.annotations[lastApplied]).toBe("new\n");
    expect(out.metadata.labels).toEqual({ app: "nginx" });
    expect(out.spec.restartPolicy).toBe("Always");
  });

  it("§1.2 apply, container b removed with $patch: delete, env added to a, label added", () => {
    const live = nginxPod();
    live.spec.containers = [
      { name: "a", image: "busybox", ports: [] as any },
      { name: "b", image: "busybox", ports: [] as any },
    ];
    const out = smp(
      live,
      {
        metadata: { annotations: { [lastApplied]: "x\n" }, labels: { new: "label" } },
        spec: {
          "$setElementOrder/containers": [{ name: "a" }],
          containers: [{ env: [{ name: "FOO", value: "bar" }], name: "a" }, { $patch: "delete", name: "b" }],
        },
      },
      "Pod",
    ) as any;
    expect(out.spec.containers).toEqual([{ name: "a", image: "busybox", ports: [], env: [{ name: "FOO", value: "bar" }] }]);
    expect(out.metadata.labels).toEqual({ app: "nginx", new: "label" });
  });

  it("§1.2 apply on a Deployment: labels null, replicas changed, ports null", () => {
    const out = smp(
      deployment(),
      {
        metadata: { annotations: { [lastApplied]: "y\n" }, labels: null },
        spec: {
          replicas: 3,
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "web" }],
              containers: [{ image: "nginx:1.26", name: "web", ports: null }],
            },
          },
        },
      },
      "Deployment",
    ) as any;
    expect(out.metadata.labels).toBeUndefined();
    expect(out.metadata.annotations[lastApplied]).toBe("y\n");
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:1.26", env: [{ name: "A", value: "1" }] }]);
    expect(out.spec.selector).toEqual({ matchLabels: { app: "web" } });
  });

  it("§6.3 rollout restart: adds the restartedAt annotation to the pod template", () => {
    const patch = { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-25T21:44:30Z" } } } } };
    const once = smp(deployment(), patch, "Deployment") as any;
    expect(once.spec.template.metadata).toEqual({
      labels: { app: "web" },
      annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-25T21:44:30Z" },
    });
    const again = smp(once, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-26T00:00:00Z" } } } } }, "Deployment") as any;
    expect(again.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).toBe("2026-11-26T00:00:00Z");
    expect(again.spec.template.spec).toEqual(podSpec());
  });

  it("§6.3 rollout pause and resume", () => {
    const paused = smp(deployment(), { spec: { paused: true } }, "Deployment") as any;
    expect(paused.spec.paused).toBe(true);
    const resumed = smp(paused, { spec: { paused: null } }, "Deployment") as any;
    expect("paused" in resumed.spec).toBe(false);
  });

  it("§6.4 set image: changes one container's image, keeps its ports and env", () => {
    const out = smp(
      deployment(),
      { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ image: "nginx:1.27", name: "web" }] } } } },
      "Deployment",
    ) as any;
    expect(out.spec.template.spec.containers).toEqual([{ ...podSpec().containers[0], image: "nginx:1.27" }]);
    expect(out.spec.template.spec.tolerations).toEqual(podSpec().tolerations);
  });

  it("§7.4 cordon and uncordon", () => {
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "node1" }, spec: { podCIDR: "10.0.0.0/24" } };
    const cordoned = smp(node, { spec: { unschedulable: true } }, "Node") as any;
    expect(cordoned.spec).toEqual({ podCIDR: "10.0.0.0/24", unschedulable: true });
    const uncordoned = smp(cordoned, { spec: { unschedulable: null } }, "Node") as any;
    expect(uncordoned.spec).toEqual({ podCIDR: "10.0.0.0/24" });
    // Uncordoning a node that never was cordoned changes nothing.
    expect(smp(node, { spec: { unschedulable: null } }, "Node")).toEqual(node);
  });
});

describe("merge keys from types.go", () => {
  it("env merges by name; a new variable is placed before server-only ones, as apimachinery orders it", () => {
    const out = smp({ spec: podSpec() }, { spec: { containers: [{ name: "web", env: [{ name: "B", value: "2" }, { name: "A", value: "9" }] }] } }, "Pod") as any;
    expect(out.spec.containers[0].env).toEqual([
      { name: "B", value: "2" },
      { name: "A", value: "9" },
    ]);
    const added = smp({ spec: podSpec() }, { spec: { containers: [{ name: "web", env: [{ name: "Z", value: "z" }] }] } }, "Pod") as any;
    expect(added.spec.containers[0].env).toEqual([
      { name: "Z", value: "z" },
      { name: "A", value: "1" },
    ]);
  });

  it("$setElementOrder puts a new item where the client wants it", () => {
    const out = smp(
      { spec: podSpec() },
      { spec: { containers: [{ name: "web", "$setElementOrder/env": [{ name: "A" }, { name: "Z" }], env: [{ name: "Z", value: "z" }] }] } },
      "Pod",
    ) as any;
    expect(out.spec.containers[0].env.map((e: any) => e.name)).toEqual(["A", "Z"]);
  });

  it("container ports merge by containerPort", () => {
    const out = smp(
      { spec: podSpec() },
      { spec: { containers: [{ name: "web", ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }] }] } },
      "Pod",
    ) as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "http" }, { containerPort: 443 }]);
  });

  it("volumeMounts merge by mountPath, volumes and imagePullSecrets by name", () => {
    const live = {
      spec: {
        containers: [{ name: "web", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
        volumes: [{ name: "data", emptyDir: {} }],
        imagePullSecrets: [{ name: "reg1" }],
      },
    };
    const out = smp(
      live,
      {
        spec: {
          containers: [{ name: "web", volumeMounts: [{ mountPath: "/data", readOnly: true }, { name: "cfg", mountPath: "/cfg" }] }],
          volumes: [{ name: "cfg", configMap: { name: "c" } }],
          imagePullSecrets: [{ name: "reg2" }],
        },
      },
      "Pod",
    ) as any;
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: "data", mountPath: "/data", readOnly: true }, { name: "cfg", mountPath: "/cfg" }]);
    expect(out.spec.volumes.map((v: any) => v.name).sort()).toEqual(["cfg", "data"]);
    expect(out.spec.imagePullSecrets.map((v: any) => v.name).sort()).toEqual(["reg1", "reg2"]);
  });

  it("initContainers and ephemeralContainers merge by name", () => {
    const live = { spec: { initContainers: [{ name: "init", image: "a" }], ephemeralContainers: [{ name: "dbg", image: "b" }] } };
    const out = smp(live, { spec: { initContainers: [{ name: "init", image: "a2" }], ephemeralContainers: [{ name: "dbg2", image: "c" }] } }, "Pod") as any;
    expect(out.spec.initContainers).toEqual([{ name: "init", image: "a2" }]);
    expect(out.spec.ephemeralContainers.map((c: any) => c.name).sort()).toEqual(["dbg", "dbg2"]);
  });

  it("hostAliases by ip, topologySpreadConstraints by topologyKey", () => {
    const live = {
      spec: {
        hostAliases: [{ ip: "1.1.1.1", hostnames: ["a"] }],
        topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }],
      },
    };
    const out = smp(
      live,
      {
        spec: {
          hostAliases: [{ ip: "1.1.1.1", hostnames: ["b"] }, { ip: "2.2.2.2", hostnames: ["c"] }],
          topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 2 }],
        },
      },
      "Pod",
    ) as any;
    expect(out.spec.hostAliases).toEqual([{ ip: "1.1.1.1", hostnames: ["b"] }, { ip: "2.2.2.2", hostnames: ["c"] }]);
    expect(out.spec.topologySpreadConstraints).toEqual([{ topologyKey: "zone", maxSkew: 2, whenUnsatisfiable: "DoNotSchedule" }]);
  });

  it("lists without a strategy are replaced whole: tolerations, args, command", () => {
    const live = { spec: { ...podSpec(), containers: [{ name: "web", args: ["a", "b"], command: ["sh"] }] } };
    const out = smp(
      live,
      { spec: { tolerations: [{ key: "k2", operator: "Exists" }], containers: [{ name: "web", args: ["c"], command: ["bash", "-c"] }] } },
      "Pod",
    ) as any;
    expect(out.spec.tolerations).toEqual([{ key: "k2", operator: "Exists" }]);
    expect(out.spec.containers[0].args).toEqual(["c"]);
    expect(out.spec.containers[0].command).toEqual(["bash", "-c"]);
  });

  it("ownerReferences merge by uid; finalizers merge as a primitive list", () => {
    const live = { metadata: { ownerReferences: [{ uid: "u1", kind: "ReplicaSet", name: "rs1" }], finalizers: ["a", "b"] } };
    const out = smp(
      live,
      { metadata: { ownerReferences: [{ uid: "u1", controller: true }, { uid: "u2", kind: "Job", name: "j" }], finalizers: ["b", "c"] } },
      "Pod",
    ) as any;
    expect(out.metadata.ownerReferences).toEqual([
      { uid: "u1", kind: "ReplicaSet", name: "rs1", controller: true },
      { uid: "u2", kind: "Job", name: "j" },
    ]);
    expect([...out.metadata.finalizers].sort()).toEqual(["a", "b", "c"]);
  });

  it("pod status conditions merge by type", () => {
    const live = { status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }] } };
    const out = smp(live, { status: { conditions: [{ type: "Ready", status: "True" }] } }, "Pod") as any;
    expect(out.status.conditions).toEqual([{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }]);
  });

  it("node addresses and conditions merge by type; taints are atomic as in types.go", () => {
    const live = {
      spec: { taints: [{ key: "a", effect: "NoSchedule" }] },
      status: {
        addresses: [{ type: "InternalIP", address: "10.0.0.1" }, { type: "Hostname", address: "n1" }],
        conditions: [{ type: "Ready", status: "True" }],
      },
    };
    const out = smp(
      live,
      {
        spec: { taints: [{ key: "b", effect: "NoExecute" }] },
        status: { addresses: [{ type: "InternalIP", address: "10.0.0.2" }], conditions: [{ type: "MemoryPressure", status: "False" }] },
      },
      "Node",
    ) as any;
    expect(out.spec.taints).toEqual([{ key: "b", effect: "NoExecute" }]);
    expect(out.status.addresses).toEqual([{ type: "InternalIP", address: "10.0.0.2" }, { type: "Hostname", address: "n1" }]);
    expect(out.status.conditions.map((c: any) => c.type).sort()).toEqual(["MemoryPressure", "Ready"]);
  });

  it("Service ports merge by port", () => {
    const live = { spec: { ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }], selector: { app: "web" } } };
    const out = smp(live, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }], selector: { tier: "x" } } }, "Service") as any;
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090, protocol: "TCP" }, { port: 443 }]);
    expect(out.spec.selector).toEqual({ app: "web", tier: "x" });
  });

  it("Deployment status conditions merge by type", () => {
    const live = { status: { conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }] } };
    const out = smp(live, { status: { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] } }, "Deployment") as any;
    expect(out.status.conditions[1]).toEqual({ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" });
    expect(out.status.conditions).toHaveLength(2);
  });
});

describe("one PodSpec table for every kind that holds a pod template", () => {
  const envPatch = { containers: [{ name: "web", env: [{ name: "B", value: "2" }] }] };
  const cases: [string, (spec: unknown) => unknown, (o: any) => any][] = [
    ["Pod", (s) => ({ spec: s }), (o) => o.spec],
    ["Deployment", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["ReplicaSet", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["DaemonSet", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["StatefulSet", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["Job", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["ReplicationController", (s) => ({ spec: { template: { spec: s } } }), (o) => o.spec.template.spec],
    ["PodTemplate", (s) => ({ template: { spec: s } }), (o) => o.template.spec],
    ["CronJob", (s) => ({ spec: { jobTemplate: { spec: { template: { spec: s } } } } }), (o) => o.spec.jobTemplate.spec.template.spec],
  ];
  for (const [kind, wrap, unwrap] of cases) {
    it(`${kind}: env merges by name, tolerations replace`, () => {
      const out = smp(wrap(podSpec()), wrap({ ...envPatch, tolerations: [] }), kind) as any;
      const spec = unwrap(out);
      expect(spec.containers[0].env.map((e: any) => e.name).sort()).toEqual(["A", "B"]);
      expect(spec.containers[0].image).toBe("nginx:1.26");
      expect(spec.tolerations).toEqual([]);
    });
  }

  it("a kind without patch metadata replaces lists but still merges maps", () => {
    const out = smp({ metadata: { labels: { a: "1" } }, spec: { items: [{ name: "x", v: 1 }] } }, { metadata: { labels: { b: "2" } }, spec: { items: [{ name: "y" }] } }, "Widget") as any;
    expect(out.spec.items).toEqual([{ name: "y" }]);
    expect(out.metadata.labels).toEqual({ a: "1", b: "2" });
  });
});

describe("directives", () => {
  it("$patch: replace on a map replaces it", () => {
    const out = smp(deployment(), { metadata: { labels: { $patch: "replace", only: "this" } } }, "Deployment") as any;
    expect(out.metadata.labels).toEqual({ only: "this" });
  });

  it("$patch: replace on the whole patch replaces the object", () => {
    expect(smp(deployment(), { $patch: "replace", kind: "Deployment", spec: { replicas: 1 } }, "Deployment")).toEqual({
      kind: "Deployment",
      spec: { replicas: 1 },
    });
  });

  it("$patch: delete on a map removes the field", () => {
    const out = smp(deployment(), { spec: { strategy: { $patch: "delete" } } }, "Deployment") as any;
    expect("strategy" in out.spec).toBe(false);
    const absent = smp({ spec: {} }, { spec: { securityContext: { $patch: "delete" } } }, "Pod") as any;
    expect(absent.spec).toEqual({});
  });

  it("$patch: merge is the default and is accepted in maps and list items", () => {
    const out = smp(deployment(), { metadata: { labels: { $patch: "merge", x: "y" } } }, "Deployment") as any;
    expect(out.metadata.labels).toEqual({ app: "web", team: "a", x: "y" });
    const list = smp({ spec: podSpec() }, { spec: { containers: [{ $patch: "merge" }, { name: "side", image: "s" }] } }, "Pod") as any;
    expect(list.spec.containers.map((c: any) => c.name).sort()).toEqual(["side", "web"]);
  });

  it("$patch: replace as a list item replaces the whole merge list", () => {
    const live = { spec: { containers: [{ name: "a", image: "1" }, { name: "b", image: "2" }] } };
    const out = smp(live, { spec: { containers: [{ name: "c", image: "3" }, { $patch: "replace" }] } }, "Pod") as any;
    expect(out.spec.containers).toEqual([{ name: "c", image: "3" }]);
  });

  it("$patch: replace in a primitive merge list replaces it", () => {
    const out = smp({ metadata: { finalizers: ["a", "b"] } }, { metadata: { finalizers: [{ $patch: "replace" }, "c"] } }, "Pod") as any;
    expect(out.metadata.finalizers).toEqual(["c"]);
  });

  it("$patch: delete removes every item with that key, and ignores absent ones", () => {
    const live = { spec: { containers: [{ name: "a" }, { name: "b" }], volumes: [{ name: "v" }] } };
    const out = smp(live, { spec: { containers: [{ name: "a", $patch: "delete" }, { name: "zz", $patch: "delete" }] } }, "Pod") as any;
    expect(out.spec.containers).toEqual([{ name: "b" }]);
    expect(out.spec.volumes).toEqual([{ name: "v" }]);
  });

  it("$patch: delete for an item of a list the object does not have leaves nothing behind", () => {
    const out = smp({ spec: {} }, { spec: { containers: [{ name: "a", $patch: "delete" }] } }, "Pod") as any;
    expect(out.spec.containers).toEqual([]);
  });

  it("$retainKeys clears fields not listed (Deployment strategy switch to Recreate)", () => {
    const out = smp(deployment(), { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null } } }, "Deployment") as any;
    expect(out.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("$retainKeys inside a volume item swaps its source", () => {
    const live = { spec: { volumes: [{ name: "data", emptyDir: {} }, { name: "other", emptyDir: {} }] } };
    const out = smp(live, { spec: { volumes: [{ $retainKeys: ["hostPath", "name"], name: "data", hostPath: { path: "/tmp" } }] } }, "Pod") as any;
    expect(out.spec.volumes).toEqual([{ name: "data", hostPath: { path: "/tmp" } }, { name: "other", emptyDir: {} }]);
  });

  it("$retainKeys that omits a field the patch sets is a 400", () => {
    const e = failure(() => smp(deployment(), { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: { maxSurge: 1 } } } }, "Deployment"));
    expect(e.code).toBe(400);
    expect(e.message).toContain("spec.strategy");
    expect(failure(() => smp(deployment(), { spec: { strategy: { $retainKeys: "type" } } }, "Deployment")).code).toBe(400);
  });

  it("$deleteFromPrimitiveList removes values from a primitive list", () => {
    const live = { metadata: { finalizers: ["a", "b", "c"] } };
    const out = smp(live, { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "zz"] } }, "Pod") as any;
    expect(out.metadata.finalizers).toEqual(["a", "c"]);
    const none = smp({ metadata: {} }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["b"] } }, "Pod") as any;
    expect(none.metadata).toEqual({});
  });

  it("kubectl's 3-way patch for a finalizer swap: order, additions and deletions together", () => {
    const live = { metadata: { finalizers: ["a", "b"] } };
    const out = smp(
      live,
      { metadata: { "$setElementOrder/finalizers": ["a", "c"], "$deleteFromPrimitiveList/finalizers": ["b"], finalizers: ["c"] } },
      "Pod",
    ) as any;
    expect(out.metadata.finalizers).toEqual(["a", "c"]);
  });

  it("$setElementOrder alone reorders a list", () => {
    const live = { spec: { containers: [{ name: "a" }, { name: "b" }, { name: "c" }] } };
    const out = smp(live, { spec: { "$setElementOrder/containers": [{ name: "c" }, { name: "a" }, { name: "b" }] } }, "Pod") as any;
    expect(out.spec.containers.map((c: any) => c.name)).toEqual(["c", "a", "b"]);
  });

  it("$setElementOrder keeps items only the server has in their live place", () => {
    const live = { spec: { containers: [{ name: "a" }, { name: "sidecar" }, { name: "b" }] } };
    const out = smp(
      live,
      { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }], containers: [{ name: "b", image: "x" }] } },
      "Pod",
    ) as any;
    expect(out.spec.containers.map((c: any) => c.name)).toEqual(["a", "sidecar", "b"]);
  });

  it("$setElementOrder on a list the object does not have yet", () => {
    const out = smp(
      { spec: {} },
      { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }], containers: [{ name: "b" }, { name: "a", image: "x" }] } },
      "Pod",
    ) as any;
    expect(out.spec.containers).toEqual([{ name: "b" }, { name: "a", image: "x" }]);
  });

  it("$setElementOrder for a list the patch deletes leaves the deletion to null", () => {
    const out = smp({ spec: { containers: [{ name: "a" }] } }, { spec: { "$setElementOrder/containers": [], containers: null } }, "Pod") as any;
    expect(out.spec).toEqual({});
  });

  it("a patch list in another order than its $setElementOrder is a 400", () => {
    const e = failure(() =>
      smp(
        { spec: { containers: [{ name: "a" }, { name: "b" }] } },
        { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }], containers: [{ name: "b" }, { name: "a" }] } },
        "Pod",
      ),
    );
    expect(e.code).toBe(400);
    expect(e.message).toContain("$setElementOrder");
  });

  it("malformed directives are 400s naming the field", () => {
    const cases: unknown[] = [
      { spec: { containers: [{ $patch: "delete" }] } },
      { spec: { containers: [{ image: "no-name" }] } },
      { spec: { $patch: "explode" } },
      { spec: { containers: [{ $patch: "explode", name: "a" }] } },
      { spec: { "$setElementOrder/containers": "a" } },
      { spec: { "$setElementOrder/containers": [{ image: "no-key" }] } },
      { metadata: { "$deleteFromPrimitiveList/finalizers": "a" } },
      { spec: { $unknown: 1 } },
      { spec: { containers: [{ name: "a" }, "b"] } },
    ];
    for (const patch of cases) {
      const e = failure(() => smp({ metadata: { finalizers: ["a"] }, spec: { containers: [{ name: "a" }] } }, patch, "Pod"));
      expect(e.code).toBe(400);
      expect(e.message).toMatch(/spec|finalizers/);
    }
  });
});

describe("values", () => {
  it("null deletes a field, and a null for an absent field is dropped", () => {
    const out = smp({ spec: { nodeName: "n1", hostname: "h" } }, { spec: { nodeName: null, subdomain: null } }, "Pod") as any;
    expect(out.spec).toEqual({ hostname: "h" });
  });

  it("nulls inside a new subtree are dropped", () => {
    const out = smp({ spec: {} }, { spec: { securityContext: { runAsUser: 1, fsGroup: null } } }, "Pod") as any;
    expect(out.spec.securityContext).toEqual({ runAsUser: 1 });
  });

  it("a new merge-list item is stored without directives or nulls", () => {
    const out = smp({ spec: { containers: [] } }, { spec: { containers: [{ name: "a", image: null, env: [{ name: "X", value: "1" }] }] } }, "Pod") as any;
    expect(out.spec.containers).toEqual([{ name: "a", env: [{ name: "X", value: "1" }] }]);
  });

  it("a value of another type replaces the original", () => {
    const out = smp({ spec: { a: "scalar", b: { x: 1 }, c: [1] } }, { spec: { a: { now: "object" }, b: [1], c: "s" } }, "Widget") as any;
    expect(out.spec).toEqual({ a: { now: "object" }, b: [1], c: "s" });
  });

  it("an empty patch returns an equal copy", () => {
    const d = deployment();
    const out = smp(d, {}, "Deployment");
    expect(out).toEqual(d);
    expect(out).not.toBe(d);
  });

  it("never mutates the original or the patch", () => {
    const d = deployment();
    const patch = {
      metadata: { labels: null },
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ name: "web", image: "x" }] } } },
    };
    const patchCopy = JSON.parse(JSON.stringify(patch));
    smp(d, patch, "Deployment");
    expect(d).toEqual(deployment());
    expect(patch).toEqual(patchCopy);
  });

  it("a patch that is not an object is a 400", () => {
    expect(failure(() => smp({}, [1], "Pod")).code).toBe(400);
    expect(failure(() => smp({}, null, "Pod")).code).toBe(400);
  });
});
