import { describe, expect, it } from "vitest";
import { KubeError } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { goJson, lastAppliedAnnotation } from "./last-applied.js";
import { recordUpdate, serverSideApply } from "./server-side-apply.js";

const T = "2026-01-01T00:00:00Z";

const manifest = (image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "nginx", namespace: "default", labels: { app: "nginx" } },
  spec: { containers: [{ name: "nginx", image }] },
});

/** What `kubectl apply` (client-side) leaves behind: the object plus its annotation, owned by kubectl-client-side-apply. */
function clientSideApplied(image: string): KubeObject {
  const m = manifest(image);
  const obj = { ...m, metadata: { ...m.metadata, annotations: { [lastAppliedAnnotation]: JSON.stringify(m) + "\n" } } };
  return recordUpdate(undefined, obj as KubeObject, "kubectl-client-side-apply", T);
}

const ssa = (live: KubeObject, applied: unknown, manager = "kubectl") =>
  serverSideApply(live, applied as KubeObject, { manager, kind: "Pod", force: false, now: T });

describe("client-side to server-side apply", () => {
  it("kubectl takes over fields its client-side apply set, without a conflict", () => {
    const out = ssa(clientSideApplied("nginx:1.25"), manifest("nginx:1.26"));
    expect(out.spec.containers[0].image).toBe("nginx:1.26");
    const csa = out.metadata.managedFields!.find((e) => e.manager === "kubectl-client-side-apply");
    expect(JSON.stringify(csa?.fieldsV1)).not.toContain("f:image");
  });

  it("rewrites the annotation so the kubectl-last-applied follow-up changes nothing", () => {
    const applied = manifest("nginx:1.26");
    const out = ssa(clientSideApplied("nginx:1.25"), applied);
    const annotation = out.metadata.annotations![lastAppliedAnnotation];
    expect(annotation).toBe(goJson(applied) + "\n");
    const followUp = ssa(
      out,
      { apiVersion: "v1", kind: "Pod", metadata: { name: "nginx", namespace: "default", annotations: { [lastAppliedAnnotation]: annotation } } },
      "kubectl-last-applied",
    );
    expect(followUp.metadata.annotations![lastAppliedAnnotation]).toBe(annotation);
    expect(followUp.spec).toEqual(out.spec);
  });

  it("a field someone else changed since the client-side apply still conflicts", () => {
    const csa = clientSideApplied("nginx:1.25");
    const edited = structuredClone(csa);
    edited.spec.containers[0].image = "nginx:edited";
    const live = recordUpdate(csa, edited, "kubectl-set", T);
    try {
      ssa(live, manifest("nginx:1.26"));
      throw new Error("expected a conflict");
    } catch (e) {
      expect(e).toBeInstanceOf(KubeError);
      expect((e as KubeError).message).toBe('Apply failed with 1 conflict: conflict with "kubectl-set" using v1: .spec.containers[name="nginx"].image');
    }
  });

  it("other managers get no upgrade path", () => {
    expect(() => ssa(clientSideApplied("nginx:1.25"), manifest("nginx:1.26"), "my-tool")).toThrow(/conflict with "kubectl-client-side-apply" using v1/);
  });

  it("an object without the annotation is left without one", () => {
    const created = ssa(recordUpdate(undefined, manifest("a") as KubeObject, "kubectl-create", T), manifest("a"));
    expect(created.metadata.annotations).toBeUndefined();
  });
});

describe("goJson", () => {
  it("sorts keys at every level and escapes HTML characters as Go does", () => {
    expect(goJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: "<&>" } })).toBe('{"a":{"c":"\\u003c\\u0026\\u003e","d":[{"y":2,"z":1}]},"b":1}');
  });
});
