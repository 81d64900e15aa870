import { describe, expect, it } from "vitest";
import { KubeError } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { applyPatch, rfc3339 } from "./index.js";

const now = new Date("2026-03-04T05:06:07.891Z");

const deployment = (): KubeObject =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "10" },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } } },
  }) as KubeObject;

describe("applyPatch", () => {
  it("stamps times as RFC 3339 seconds", () => {
    expect(rfc3339(now)).toBe("2026-03-04T05:06:07Z");
  });

  it("dispatches a strategic merge patch with the kind's merge keys and records the writer", () => {
    const out = applyPatch(
      "strategic",
      deployment(),
      { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } },
      { kind: "Deployment", manager: "kubectl-set", now },
    );
    expect(out.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:1.27" }]);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: "kubectl-set",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2026-03-04T05:06:07Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } } } } },
      },
    ]);
  });

  it("dispatches a merge patch (lists replaced whole)", () => {
    const out = applyPatch("merge", deployment(), { spec: { template: { spec: { containers: [{ name: "x" }] } } } }, { kind: "Deployment", now });
    expect(out.spec.template.spec.containers).toEqual([{ name: "x" }]);
  });

  it("a write without a field manager records no entry", () => {
    const out = applyPatch("merge", deployment(), { spec: { replicas: 3 } }, { kind: "Deployment", now });
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.managedFields).toBeUndefined();
  });

  it("dispatches a JSON patch", () => {
    const out = applyPatch("json", deployment(), [{ op: "replace", path: "/spec/replicas", value: 5 }], { kind: "Deployment", manager: "m", now });
    expect(out.spec.replicas).toBe(5);
    expect(out.metadata.managedFields?.[0].fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("dispatches server-side apply, creating when there is nothing yet", () => {
    const applied = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 1 } };
    const created = applyPatch("apply", undefined, applied, { kind: "Deployment", manager: "kubectl", force: false, now });
    expect(created.spec).toEqual({ replicas: 1 });
    expect(created.metadata.managedFields?.[0]).toMatchObject({ manager: "kubectl", operation: "Apply" });
    const e = (() => {
      try {
        applyPatch("apply", undefined, applied, { kind: "Deployment", now });
      } catch (err) {
        return err as KubeError;
      }
    })();
    expect(e?.code).toBe(400);
  });

  it("refuses a patch whose result is not an object, and a non-apply patch without an object", () => {
    expect(() => applyPatch("json", deployment(), [{ op: "replace", path: "", value: 3 }], { kind: "Deployment", now })).toThrow(KubeError);
    expect(() => applyPatch("merge", undefined, {}, { kind: "Deployment", now })).toThrow(KubeError);
  });

  it("never mutates the stored object", () => {
    const stored = deployment();
    applyPatch("strategic", stored, { metadata: { labels: { a: "b" } }, spec: { replicas: null } }, { kind: "Deployment", manager: "m", now });
    expect(stored).toEqual(deployment());
  });
});
