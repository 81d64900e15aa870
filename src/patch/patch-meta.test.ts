import { describe, expect, it } from "vitest";
import { fieldMeta, hasPatchMeta, listKeys, memberMeta, mergeStrategy, rootType, shapeOf, type FieldMeta, type Shape } from "./patch-meta.js";

/** Resolves a dotted path from a kind's root, the way both patch engines walk. */
function resolve(kind: string, path: string): FieldMeta {
  let shape: Shape = { type: rootType(kind) };
  let meta: FieldMeta = {};
  for (const part of path.split(".")) {
    meta = memberMeta(shape, part);
    shape = shapeOf(meta);
  }
  return meta;
}

describe("patch metadata table", () => {
  it("gives the struct tags of kubernetes/api types.go", () => {
    expect(resolve("Pod", "spec.containers")).toMatchObject({ patchStrategy: "merge", patchMergeKey: "name" });
    expect(resolve("Pod", "spec.volumes")).toMatchObject({ patchStrategy: "merge,retainKeys", patchMergeKey: "name" });
    expect(resolve("Pod", "metadata.ownerReferences")).toMatchObject({ patchMergeKey: "uid" });
    expect(resolve("Pod", "metadata.finalizers")).toMatchObject({ patchStrategy: "merge", listType: "set" });
    expect(resolve("Node", "spec.taints").patchStrategy).toBeUndefined();
    expect(resolve("Deployment", "spec.strategy")).toMatchObject({ patchStrategy: "retainKeys" });
    expect(mergeStrategy(resolve("Deployment", "spec.strategy"))).toBeUndefined();
    expect(mergeStrategy(resolve("Pod", "spec.volumes"))).toBe("merge");
  });

  it("resolves the same PodSpec inside every workload kind", () => {
    const paths: [string, string][] = [
      ["Pod", "spec"],
      ["Deployment", "spec.template.spec"],
      ["ReplicaSet", "spec.template.spec"],
      ["DaemonSet", "spec.template.spec"],
      ["StatefulSet", "spec.template.spec"],
      ["Job", "spec.template.spec"],
      ["CronJob", "spec.jobTemplate.spec.template.spec"],
    ];
    for (const [kind, at] of paths) {
      expect(resolve(kind, `${at}.containers.ports`)).toMatchObject({ patchMergeKey: "containerPort" });
      expect(resolve(kind, `${at}.containers.volumeMounts`)).toMatchObject({ patchMergeKey: "mountPath" });
      expect(resolve(kind, `${at}.initContainers.env`)).toMatchObject({ patchMergeKey: "name" });
      expect(resolve(kind, `${at}.tolerations`)).toMatchObject({ listType: "atomic" });
    }
  });

  it("server-side apply keys: compound for ports, defaults for protocol", () => {
    expect(listKeys(resolve("Pod", "spec.containers.ports"))).toEqual(["containerPort", "protocol"]);
    expect(resolve("Service", "spec.ports")).toMatchObject({ patchMergeKey: "port", keyDefaults: { protocol: "TCP" } });
    expect(listKeys(resolve("Pod", "spec.topologySpreadConstraints"))).toEqual(["topologyKey", "whenUnsatisfiable"]);
    expect(listKeys(resolve("Job", "status.conditions"))).toBeUndefined();
    expect(listKeys(resolve("Pod", "spec.tolerations"))).toBeUndefined();
  });

  it("knows Go maps from structs", () => {
    expect(resolve("Pod", "metadata.labels").map).toBe(true);
    expect(resolve("Service", "spec.selector").map).toBe(true);
    expect(resolve("Deployment", "spec.selector").atomic).toBe(true);
    expect(resolve("Pod", "metadata.labels.app")).toEqual({ type: undefined });
  });

  it("gives unknown kinds ObjectMeta only", () => {
    expect(hasPatchMeta("Widget")).toBe(false);
    expect(hasPatchMeta("Deployment")).toBe(true);
    expect(resolve("Widget", "metadata.ownerReferences")).toMatchObject({ patchMergeKey: "uid" });
    expect(resolve("Widget", "spec.items")).toEqual({});
    expect(fieldMeta(undefined, "x")).toEqual({});
  });
});
