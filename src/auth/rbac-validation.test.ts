import { describe, expect, it } from "vitest";
import { KubeError } from "../errors.js";
import { prepareForCreate, prepareForUpdate } from "../registry/lifecycle.js";
import { resourceByName } from "../schema/registry.js";
import type { KubeObject } from "../schema/meta.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.js";

const now = new Date("2026-01-01T00:00:00Z");
const G = "rbac.authorization.k8s.io";

function create(resource: string, o: Record<string, unknown>, namespace?: string): KubeObject {
  return prepareForCreate(resourceByName(resource)!, o as KubeObject, { now, namespace });
}
function causesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeError && e.code === 422) return e.details!.causes!.map((c) => `${c.field}: ${c.message}`);
    throw e;
  }
  throw new Error("expected 422");
}

describe("RBAC validation", () => {
  it("accepts every built-in object, colons in names included", () => {
    for (const r of bootstrapClusterRoles()) expect(() => create("clusterroles", r)).not.toThrow();
    for (const b of bootstrapClusterRoleBindings()) expect(() => create("clusterrolebindings", b)).not.toThrow();
  });

  it("requires verbs, and groups and resources for resource rules", () => {
    expect(causesOf(() => create("roles", { metadata: { name: "r" }, rules: [{ verbs: [], apiGroups: [""] }] }, "a"))).toEqual([
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[0].resources: Required value: resource rules must supply at least one resource",
    ]);
    expect(causesOf(() => create("roles", { metadata: { name: "r" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/x"] }] }, "a"))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs',
    ]);
    expect(causesOf(() => create("clusterroles", { metadata: { name: "r" }, rules: [{ verbs: ["get"], resources: ["pods"], nonResourceURLs: ["/x"] }] }))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it("checks roleRef and subjects", () => {
    const causes = causesOf(() =>
      create("clusterrolebindings", {
        metadata: { name: "b" },
        roleRef: { apiGroup: "", kind: "Role", name: "" },
        subjects: [{ kind: "ServiceAccount", name: "sa" }, { kind: "User", name: "alice" }, { kind: "Robot", name: "r2" }],
      }),
    );
    expect(causes).toEqual([
      'roleRef.apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "roleRef.name: Required value",
      "subjects[0].namespace: Required value",
      'subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
      'subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    expect(causesOf(() => create("roles", { metadata: { name: "a/b" } }, "x"))).toEqual(['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  });

  it("keeps roleRef immutable, naming the field", () => {
    const rt = resourceByName("rolebindings")!;
    const rb = create("rolebindings", { metadata: { name: "b" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" }, subjects: [] }, "a");
    const moreSubjects = { ...rb, subjects: [{ kind: "User", apiGroup: G, name: "alice" }] };
    expect(() => prepareForUpdate(rt, rb, moreSubjects, undefined, { now })).not.toThrow();
    const escalated = { ...rb, roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" } };
    expect(causesOf(() => prepareForUpdate(rt, rb, escalated, undefined, { now }))).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef',
    ]);
  });
});
