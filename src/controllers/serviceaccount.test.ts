import { describe, expect, it } from "vitest";
import type { Namespace } from "../schema/core.js";
import { reconcileServiceAccounts, syncServiceAccounts } from "./serviceaccount.js";

const ns = (phase: "Active" | "Terminating"): Namespace => ({ metadata: { name: "team-a" }, status: { phase } });

describe("reconcileServiceAccounts", () => {
  it("creates the default ServiceAccount when it is missing", () => {
    expect(reconcileServiceAccounts({ namespace: "team-a", serviceAccounts: [] }).actions).toEqual([
      {
        type: "create",
        resource: "serviceaccounts",
        object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "team-a" } },
      },
    ]);
  });

  it("does nothing when it exists, whatever else is there", () => {
    const serviceAccounts = [{ metadata: { name: "builder" } }, { metadata: { name: "default" } }];
    expect(reconcileServiceAccounts({ namespace: "team-a", serviceAccounts }).actions).toEqual([]);
  });

  it("leaves a terminating namespace alone", () => {
    expect(reconcileServiceAccounts({ namespace: "team-a", namespaceObject: ns("Terminating"), serviceAccounts: [] }).actions).toEqual([]);
    expect(reconcileServiceAccounts({ namespace: "team-a", namespaceObject: ns("Active"), serviceAccounts: [] }).actions).toHaveLength(1);
  });

  it("reads the namespace's ServiceAccounts from a snapshot", () => {
    const snapshot = { namespace: "team-a", now: 0, objects: (r: string) => (r === "serviceaccounts" ? [{ metadata: { name: "builder" } }] : []) };
    expect(syncServiceAccounts(snapshot).actions.map((a) => a.type)).toEqual(["create"]);
  });
});
