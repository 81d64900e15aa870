import { describe, expect, it } from "vitest";
import { resourceByName } from "../../schema/registry.js";
import { toTable } from "./index.js";

const now = Date.parse("2026-01-01T01:00:00Z");

describe("RBAC tables", () => {
  it("prints a binding's role and, wide, its subjects by kind", () => {
    const rb = {
      metadata: { name: "team-edit", namespace: "team-a", creationTimestamp: "2026-01-01T00:00:00Z" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "devs" },
        { kind: "ServiceAccount", name: "ci", namespace: "team-a" },
      ],
    };
    const table = toTable(resourceByName("rolebindings")!, [rb], { now });
    expect(table.columnDefinitions!.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0],
      ["Role", 0],
      ["Age", 0],
      ["Users", 1],
      ["Groups", 1],
      ["ServiceAccounts", 1],
    ]);
    expect(table.rows[0].cells).toEqual(["team-edit", "ClusterRole/edit", "60m", "alice, bob", "devs", "team-a/ci"]);
  });

  it("prints roles with Name and Created At", () => {
    const table = toTable(resourceByName("clusterroles")!, [{ metadata: { name: "view", creationTimestamp: "2026-01-01T00:00:00Z" } }], { now });
    expect(table.columnDefinitions!.map((c) => c.name)).toEqual(["Name", "Created At"]);
    expect(table.rows[0].cells).toEqual(["view", "2026-01-01T00:00:00Z"]);
  });
});
