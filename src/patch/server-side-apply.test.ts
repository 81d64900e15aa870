import { describe, expect, it } from "vitest";
import { thrownKubeError as failure } from "../testing/thrown-kube-error.js";
import type { KubeObject } from "../schema/meta.js";
import { recordUpdate, serverSideApply, type ApplyOptions } from "./server-side-apply.js";

const T1 = "2026-01-01T00:00:00Z";
const T2 = "2026-01-01T00:05:00Z";

const apply = (live: KubeObject | undefined, applied: unknown, manager = "kubectl", more: Partial<ApplyOptions> = {}) =>
  serverSideApply(live, applied as KubeObject, { manager, kind: "Deployment", force: false, now: T1, ...more });

const manifest = (over: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: unknown[] } = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: over.labels ?? { app: "web" } },
  spec: {
    replicas: over.replicas ?? 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: over.containers ?? [{ name: "web", image: over.image ?? "nginx:1.26", ports: [{ containerPort: 80 }] }] },
    },
  },
});

const entry = (o: KubeObject, manager: string, operation = "Apply") =>
  (o.metadata.managedFields ?? []).find((e) => e.manager === manager && e.operation === operation);

describe("serverSideApply: create", () => {
  it("creates the object and records the manager's field set in Kubernetes' FieldsV1 form", () => {
    const out = apply(undefined, manifest());
    expect(out.spec).toEqual(manifest().spec);
    expect(out.metadata.name).toBe("web");
    expect(out.metadata.managedFields).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"web"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("does not own apiVersion, kind or server-set metadata", () => {
    const out = apply(undefined, { ...manifest(), metadata: { ...manifest().metadata, uid: "u", resourceVersion: "5", generation: 3 } });
    const fields = entry(out, "kubectl")!.fieldsV1 as Record<string, unknown>;
    expect(Object.keys(fields).sort()).toEqual(["f:metadata", "f:spec"]);
    expect(fields["f:metadata"]).toEqual({ "f:labels": { "f:app": {} } });
  });

  it("never mutates its inputs", () => {
    const m = manifest();
    const created = apply(undefined, m);
    const frozen = JSON.parse(JSON.stringify(created));
    apply(created, manifest({ image: "nginx:1.27" }));
    expect(m).toEqual(manifest());
    expect(created).toEqual(frozen);
  });
});

describe("serverSideApply: re-apply", () => {
  it("applying the same manifest again is a no-op apart from the time", () => {
    const first = apply(undefined, manifest());
    const second = apply(first, manifest(), "kubectl", { now: T2 });
    const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, managedFields: o.metadata.managedFields?.map((e) => ({ ...e, time: undefined })) } });
    expect(strip(second)).toEqual(strip(first));
    expect(entry(second, "kubectl")!.time).toBe(T2);
  });

  it("merges into the live object: server-set fields survive", () => {
    const live = apply(undefined, manifest());
    live.metadata.uid = "uid-1";
    live.spec.template.spec.restartPolicy = "Always";
    live.spec.template.spec.containers[0].imagePullPolicy = "IfNotPresent";
    live.spec.template.spec.containers[0].ports[0].protocol = "TCP";
    live.status = { replicas: 2 };
    const out = apply(live, manifest({ image: "nginx:1.27" }));
    expect(out.metadata.uid).toBe("uid-1");
    expect(out.status).toEqual({ replicas: 2 });
    expect(out.spec.template.spec.restartPolicy).toBe("Always");
    expect(out.spec.template.spec.containers).toEqual([
      { name: "web", image: "nginx:1.27", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] },
    ]);
  });

  it("a port without protocol matches the live port defaulted to TCP", () => {
    const live = apply(undefined, manifest());
    live.spec.template.spec.containers[0].ports = [{ containerPort: 80, protocol: "TCP" }];
    const out = apply(live, manifest({ containers: [{ name: "web", image: "nginx:1.26", ports: [{ containerPort: 80, name: "http" }] }] }));
    expect(out.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "http" }]);
  });

  it("a field this manager applied before and no longer applies is removed", () => {
    const first = apply(undefined, manifest({ labels: { app: "web", tier: "front" } }));
    const second = apply(first, manifest());
    expect(second.metadata.labels).toEqual({ app: "web" });
    expect(JSON.stringify(entry(second, "kubectl")!.fieldsV1)).not.toContain("f:tier");
  });

  it("a map left empty by pruning goes too", () => {
    const first = apply(undefined, { ...manifest(), metadata: { name: "web", annotations: { a: "1" } } });
    const second = apply(first, { ...manifest(), metadata: { name: "web" } });
    expect(second.metadata.annotations).toBeUndefined();
  });

  it("a list item this manager no longer applies is removed, others' items stay", () => {
    const two = [
      { name: "web", image: "nginx" },
      { name: "helper", image: "busybox" },
    ];
    const first = apply(undefined, manifest({ containers: two }));
    const injected = structuredClone(first);
    injected.spec.template.spec.containers.push({ name: "sidecar", image: "envoy" });
    const withSidecar = recordUpdate(first, injected, "injector", T1);
    const out = apply(withSidecar, manifest({ containers: [{ name: "web", image: "nginx" }] }));
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(["web", "sidecar"]);
  });

  it("a field another Apply manager also owns is kept when one of them lets go", () => {
    const a = apply(undefined, manifest({ labels: { app: "web", tier: "front" } }), "a");
    const b = apply(a, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: { tier: "front" } } }, "b");
    expect(JSON.stringify(entry(b, "b")!.fieldsV1)).toContain("f:tier");
    const out = apply(b, manifest(), "a");
    expect(out.metadata.labels).toEqual({ app: "web", tier: "front" });
    expect(JSON.stringify(entry(out, "a")!.fieldsV1)).not.toContain("f:tier");
  });

  it("a field an Update manager changed is no longer the applier's to remove", () => {
    const first = apply(undefined, manifest({ labels: { app: "web", tier: "front" } }));
    const edited = structuredClone(first);
    edited.metadata.labels!.tier = "back";
    const updated = recordUpdate(first, edited, "kubectl-label", T1);
    const out = apply(updated, manifest());
    expect(out.metadata.labels).toEqual({ app: "web", tier: "back" });
  });
});

describe("serverSideApply: conflicts", () => {
  it("a different value for a field another Apply manager owns is a 409 naming the field and the manager", () => {
    const base = apply(undefined, manifest(), "other-manager");
    const e = failure(() => apply(base, manifest({ replicas: 3 }), "kubectl"));
    expect(e.code).toBe(409);
    expect(e.reason).toBe("Conflict");
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "other-manager": .spec.replicas');
    expect(e.details?.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "other-manager"', field: ".spec.replicas" }]);
  });

  it("names list items by key in the conflict path", () => {
    const base = apply(undefined, manifest(), "other-manager");
    const e = failure(() => apply(base, manifest({ image: "nginx:1.27" }), "kubectl"));
    expect(e.details?.causes?.[0].field).toBe('.spec.template.spec.containers[name="web"].image');
  });

  it("lists every conflicting field, grouped by manager", () => {
    const base = apply(undefined, manifest(), "other-manager");
    const e = failure(() => apply(base, manifest({ replicas: 5, image: "x" }), "kubectl"));
    expect(e.details?.causes).toHaveLength(2);
    expect(e.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "other-manager":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it("the same value is no conflict: both managers own the field", () => {
    const base = apply(undefined, manifest(), "other-manager");
    const out = apply(base, manifest(), "kubectl");
    expect(JSON.stringify(entry(out, "kubectl")!.fieldsV1)).toContain("f:replicas");
    expect(JSON.stringify(entry(out, "other-manager")!.fieldsV1)).toContain("f:replicas");
  });

  it("force takes the field over", () => {
    const base = apply(undefined, manifest(), "other-manager");
    const out = apply(base, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } }, "kubectl", { force: true });
    expect(out.spec.replicas).toBe(3);
    expect(JSON.stringify(entry(out, "other-manager")!.fieldsV1)).not.toContain("f:replicas");
    expect(entry(out, "kubectl")!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(out.spec.template.spec.containers[0].image).toBe("nginx:1.26");
  });

  it("an Update manager's field conflicts too, named with its apiVersion", () => {
    const base = apply(undefined, manifest());
    const scaled = structuredClone(base);
    scaled.spec.replicas = 5;
    const after = recordUpdate(base, scaled, "kubectl-scale", T1);
    expect(JSON.stringify(entry(after, "kubectl")!.fieldsV1)).not.toContain("f:replicas");
    const e = failure(() => apply(after, manifest()));
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    expect(apply(after, manifest({ replicas: 5 })).spec.replicas).toBe(5);
  });

  it("an atomic list owned by someone else conflicts as one field", () => {
    const base = apply(undefined, manifest({ containers: [{ name: "web", image: "i", args: ["a"] }] }), "other");
    const e = failure(() => apply(base, manifest({ containers: [{ name: "web", image: "i", args: ["b"] }] }), "kubectl"));
    expect(e.details?.causes?.map((c) => c.field)).toEqual(['.spec.template.spec.containers[name="web"].args']);
  });

  it("an object with no managedFields at all has nobody to conflict with", () => {
    const live = { ...manifest(), metadata: { name: "web", uid: "u" } } as KubeObject;
    const out = apply(live, manifest({ replicas: 9 }));
    expect(out.spec.replicas).toBe(9);
    expect(out.metadata.managedFields).toHaveLength(1);
  });
});

describe("serverSideApply: lists and sets", () => {
  it("finalizers are a set: members are owned one by one", () => {
    const out = serverSideApply(
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p", finalizers: ["x"] } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p", finalizers: ["a", "b"] } } as KubeObject,
      { manager: "m", kind: "Pod", force: false, now: T1 },
    );
    expect([...out.metadata.finalizers!].sort()).toEqual(["a", "b", "x"]);
    expect(entry(out, "m")!.fieldsV1).toEqual({ "f:metadata": { "f:finalizers": { 'v:"a"': {}, 'v:"b"': {} } } });
  });

  it("an empty list-map or set in the configuration keeps others' items", () => {
    const live = serverSideApply(
      undefined,
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p", finalizers: ["x"] }, spec: { containers: [{ name: "a" }] } } as KubeObject,
      { manager: "a", kind: "Pod", force: false, now: T1 },
    );
    const out = serverSideApply(live, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", finalizers: [] }, spec: { containers: [] } } as KubeObject, {
      manager: "b",
      kind: "Pod",
      force: false,
      now: T1,
    });
    expect(out.metadata.finalizers).toEqual(["x"]);
    expect(out.spec.containers).toEqual([{ name: "a" }]);
    expect(entry(out, "b")).toBeUndefined();
  });

  it("items this manager drops are pruned, leaving no empty list behind", () => {
    const first = apply(undefined, manifest({ containers: [{ name: "web", image: "i", env: [{ name: "A", value: "1" }] }] }));
    const out = apply(first, manifest({ containers: [{ name: "web", image: "i" }] }));
    expect(out.spec.template.spec.containers).toEqual([{ name: "web", image: "i" }]);
  });

  it("env and volumes merge by name", () => {
    const first = apply(undefined, manifest({ containers: [{ name: "web", image: "i", env: [{ name: "A", value: "1" }] }] }), "a");
    const out = apply(first, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "B", value: "2" }] }] } } } }, "b");
    expect(out.spec.template.spec.containers[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(out.spec.template.spec.containers[0].image).toBe("i");
  });

  it("orders items as structured-merge-diff does: live items keep their place, new ones follow", () => {
    const c = (...names: string[]) => names.map((name) => ({ name, image: "i" }));
    const live = apply(undefined, manifest({ containers: c("a", "c") }), "other");
    const added = apply(live, manifest({ containers: c("a", "b", "c") }), "other");
    expect(added.spec.template.spec.containers.map((x: any) => x.name)).toEqual(["a", "b", "c"]);
    const reordered = apply(added, manifest({ containers: c("c", "b", "a") }), "other");
    expect(reordered.spec.template.spec.containers.map((x: any) => x.name)).toEqual(["c", "b", "a"]);
  });

  it("an applied item missing its key is a 400", () => {
    const e = failure(() => apply(undefined, manifest({ containers: [{ image: "nginx" }] })));
    expect(e.code).toBe(400);
    expect(e.message).toContain('omits key field "name"');
  });

  it("duplicate keys in the applied list are a 400", () => {
    const e = failure(() => apply(undefined, manifest({ containers: [{ name: "a" }, { name: "a" }] })));
    expect(e.code).toBe(400);
    expect(e.message).toContain("duplicate entries");
  });

  it("null in the applied configuration clears the field", () => {
    const first = apply(undefined, manifest());
    const live = structuredClone(first);
    live.spec.paused = true;
    const out = apply(live, { ...manifest(), spec: { ...manifest().spec, paused: null } });
    expect("paused" in out.spec).toBe(false);
  });
});

describe("serverSideApply: requests it refuses or trims", () => {
  it("requires a field manager", () => {
    expect(failure(() => apply(undefined, manifest(), "")).code).toBe(400);
  });

  it("refuses managedFields in the applied configuration", () => {
    const m = { ...manifest(), metadata: { name: "web", managedFields: [{ manager: "x" }] } };
    const e = failure(() => apply(undefined, m));
    expect(e.message).toBe("metadata.managedFields must be nil");
  });

  it("resetFields are neither merged nor owned", () => {
    const out = apply(undefined, { ...manifest(), status: { replicas: 7 } }, "kubectl", { resetFields: ["status"] });
    expect(out.status).toBeUndefined();
    expect(JSON.stringify(entry(out, "kubectl")!.fieldsV1)).not.toContain("f:status");
  });

  it("a status-subresource apply is its own manager", () => {
    const base = apply(undefined, manifest());
    const out = apply(base, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, status: { replicas: 2 } }, "kubectl", {
      subresource: "status",
    });
    const entries = out.metadata.managedFields!.filter((e) => e.manager === "kubectl");
    expect(entries.map((e) => e.subresource ?? "")).toEqual(["", "status"]);
  });
});

describe("recordUpdate", () => {
  const pod = (): KubeObject =>
    ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nginx", labels: { run: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }], restartPolicy: "Always" },
    }) as KubeObject;

  it("a create records an Update entry owning every field, with maps and list items marked", () => {
    const out = recordUpdate(undefined, pod(), "kubectl-run", T1);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: "kubectl-run",
        operation: "Update",
        apiVersion: "v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:run": {} } },
          "f:spec": {
            "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {}, "f:resources": {} } },
            "f:restartPolicy": {},
          },
        },
      },
    ]);
  });

  it("takes changed fields from other managers and gives them to the writer", () => {
    const created = serverSideApply(undefined, pod(), { manager: "kubectl", kind: "Pod", force: false, now: T1 });
    const changed = structuredClone(created);
    changed.spec.containers[0].image = "nginx:2";
    const out = recordUpdate(created, changed, "kubectl-set", T2);
    expect(JSON.stringify(entry(out, "kubectl")!.fieldsV1)).not.toContain("f:image");
    expect(entry(out, "kubectl-set", "Update")!.fieldsV1).toEqual({
      "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { "f:image": {} } } },
    });
    expect(out.metadata.managedFields!.map((e) => e.operation)).toEqual(["Apply", "Update"]);
  });

  it("removed fields leave every manager's set", () => {
    const created = serverSideApply(undefined, pod(), { manager: "kubectl", kind: "Pod", force: false, now: T1 });
    const changed = structuredClone(created);
    delete changed.metadata.labels;
    const out = recordUpdate(created, changed, "kubectl-label", T2);
    expect(JSON.stringify(out.metadata.managedFields)).not.toContain("f:labels");
    expect(entry(out, "kubectl-label", "Update")).toBeUndefined();
  });

  it("a write that changes nothing adds no entry", () => {
    const created = recordUpdate(undefined, pod(), "a", T1);
    const out = recordUpdate(created, structuredClone(created), "b", T2);
    expect(out.metadata.managedFields!.map((e) => e.manager)).toEqual(["a"]);
  });

  it("the same manager accumulates its fields across writes and refreshes its time", () => {
    const one = recordUpdate(undefined, pod(), "m", T1);
    const next = structuredClone(one);
    next.metadata.annotations = { note: "x" };
    const two = recordUpdate(one, next, "m", T2);
    expect(two.metadata.managedFields).toHaveLength(1);
    expect(two.metadata.managedFields![0].time).toBe(T2);
    const fields = JSON.stringify(two.metadata.managedFields![0].fieldsV1);
    expect(fields).toContain("f:note");
    expect(fields).toContain("f:restartPolicy");
  });

  it("managedFields: [{}] sent by the writer resets ownership", () => {
    const created = recordUpdate(undefined, pod(), "a", T1);
    const reset = structuredClone(created);
    reset.metadata.managedFields = [{}];
    const out = recordUpdate(created, reset, "b", T2);
    expect(out.metadata.managedFields).toBeUndefined();
  });

  it("does not mutate its inputs", () => {
    const before = recordUpdate(undefined, pod(), "a", T1);
    const after = structuredClone(before);
    after.spec.restartPolicy = "Never";
    const snapshot = JSON.parse(JSON.stringify(after));
    recordUpdate(before, after, "b", T2);
    expect(after).toEqual(snapshot);
  });
});
