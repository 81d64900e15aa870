import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../schema/meta.js";
import { type ResourceType, resourceByName, resourceTypes } from "../../schema/registry.js";
import { columnDefinitionsFor, toTable } from "./table.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
const pods = resourceByName("pods")!;

const nginx: KubeObject = {
  metadata: {
    name: "nginx",
    namespace: "default",
    uid: "8c5e",
    resourceVersion: "120",
    creationTimestamp: ago(23),
    labels: { app: "nginx" },
  },
  spec: { containers: [{ name: "nginx", image: "nginx:1.25" }], nodeName: "node1" },
  status: {
    phase: "Running",
    podIPs: [{ ip: "10.1.0.118" }],
    containerStatuses: [
      { name: "nginx", ready: true, restartCount: 0, image: "nginx:1.25", imageID: "", state: { running: {} } },
    ],
  },
};

describe("toTable", () => {
  it("builds the meta.k8s.io/v1 Table kubectl prints", () => {
    const table = toTable(pods, [nginx], { now, resourceVersion: "126" });
    expect(table.kind).toBe("Table");
    expect(table.apiVersion).toBe("meta.k8s.io/v1");
    expect(table.metadata).toEqual({ resourceVersion: "126" });
    expect(table.columnDefinitions?.map((c) => c.name)).toEqual([
      "Name",
      "Ready",
      "Status",
      "Restarts",
      "Age",
      "IP",
      "Node",
      "Nominated Node",
      "Readiness Gates",
    ]);
    expect(table.rows).toEqual([
      {
        cells: ["nginx", "1/1", "Running", "0", "23s", "10.1.0.118", "node1", "<none>", "<none>"],
        object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: nginx.metadata },
      },
    ]);
  });

  it("embeds the full object, with kind and apiVersion, for includeObject=Object (--sort-by)", () => {
    const table = toTable(pods, [nginx], { now, includeObject: "Object" });
    const object = table.rows[0].object!;
    expect(object.kind).toBe("Pod");
    expect(object.apiVersion).toBe("v1");
    expect(object.spec).toEqual(nginx.spec);
    expect(object.status).toEqual(nginx.status);
    const deployments = resourceByName("deployments")!;
    const d = { apiVersion: "wrong/v9", kind: "Wrong", metadata: { name: "web" }, spec: { selector: {}, template: { spec: { containers: [] } } } };
    expect(toTable(deployments, [d], { now, includeObject: "Object" }).rows[0].object).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
  });

  it("leaves the object out for includeObject=None", () => {
    const row = toTable(pods, [nginx], { now, includeObject: "None" }).rows[0];
    expect("object" in row).toBe(false);
    expect(row.cells[0]).toBe("nginx");
  });

  it("carries the list's continue token and remaining count for pagination", () => {
    const table = toTable(pods, [nginx], { now, resourceVersion: "9", continue: "eyJydiI6OX0", remainingItemCount: 4 });
    expect(table.metadata).toEqual({ resourceVersion: "9", continue: "eyJydiI6OX0", remainingItemCount: 4 });
    expect(toTable(pods, [], { now }).metadata).toEqual({});
  });

  it("renders an empty list as a table with headers and no rows", () => {
    const table = toTable(pods, [], { now, resourceVersion: "1" });
    expect(table.rows).toEqual([]);
    expect(table.columnDefinitions).toHaveLength(9);
  });

  it("omits headers when asked (watch events after the first)", () => {
    expect(toTable(pods, [nginx], { now, noHeaders: true }).columnDefinitions).toBeNull();
  });

  it("adds row conditions for finished pods", () => {
    const done = { ...nginx, status: { phase: "Succeeded" } };
    expect(toTable(pods, [done], { now }).rows[0].conditions?.[0]).toMatchObject({ type: "Completed", reason: "Succeeded" });
  });

  it("falls back to Name and Created At for kinds without a printer", () => {
    const widgets: ResourceType = { ...pods, group: "example.com", version: "v1", kind: "Widget", resource: "widgets" };
    const table = toTable(widgets, [{ metadata: { name: "w1", creationTimestamp: "2026-01-09T08:30:00.123Z" } }, { metadata: { name: "w2" } }], {
      now,
    });
    expect(table.columnDefinitions?.map((c) => [c.name, c.type, c.format])).toEqual([
      ["Name", "string", "name"],
      ["Created At", "date", ""],
    ]);
    expect(table.rows.map((r) => r.cells)).toEqual([
      ["w1", "2026-01-09T08:30:00Z"],
      ["w2", "0001-01-01T00:00:00Z"],
    ]);
  });
});

describe("columnDefinitionsFor", () => {
  it("returns fresh copies, so callers cannot corrupt the shared definitions", () => {
    const cols = columnDefinitionsFor(pods);
    cols[0].name = "changed";
    expect(columnDefinitionsFor(pods)[0].name).toBe("Name");
  });

  it("gives every kind exactly one format:name column", () => {
    for (const t of resourceTypes) {
      const names = columnDefinitionsFor(t).filter((c) => c.format === "name");
      expect(names.map((c) => c.name), t.kind).toEqual(["Name"]);
    }
  });

  it("matches upstream's column sets", () => {
    const names = (resource: string) => columnDefinitionsFor(resourceByName(resource)!).map((c) => c.name);
    expect(names("services")).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    expect(names("nodes")).toEqual([
      "Name",
      "Status",
      "Roles",
      "Age",
      "Version",
      "Internal-IP",
      "External-IP",
      "OS-Image",
      "Kernel-Version",
      "Container-Runtime",
    ]);
    expect(names("replicasets")).toEqual(["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"]);
    expect(names("jobs")).toEqual(["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"]);
    expect(names("cronjobs")).toEqual([
      "Name",
      "Schedule",
      "Timezone",
      "Suspend",
      "Active",
      "Last Schedule",
      "Age",
      "Containers",
      "Images",
      "Selector",
    ]);
    expect(names("daemonsets").slice(0, 8)).toEqual(["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"]);
    expect(names("namespaces")).toEqual(["Name", "Status", "Age"]);
    expect(names("configmaps")).toEqual(["Name", "Data", "Age"]);
    expect(names("secrets")).toEqual(["Name", "Type", "Data", "Age"]);
    expect(names("serviceaccounts")).toEqual(["Name", "Secrets", "Age"]);
    expect(names("endpoints")).toEqual(["Name", "Endpoints", "Age"]);
    expect(names("endpointslices")).toEqual(["Name", "AddressType", "Ports", "Endpoints", "Age"]);
    expect(names("ingresses")).toEqual(["Name", "Class", "Hosts", "Address", "Ports", "Age"]);
    expect(names("ingressclasses")).toEqual(["Name", "Controller", "Parameters", "Age"]);
    expect(names("leases")).toEqual(["Name", "Holder", "Age"]);
  });
});

describe("every registered kind", () => {
  const minimal: Record<string, KubeObject> = {
    Pod: { metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } },
    Node: { metadata: { name: "node1" } },
    Namespace: { metadata: { name: "default" } },
    ConfigMap: { metadata: { name: "cm" } },
    Secret: { metadata: { name: "s" } },
    Service: { metadata: { name: "svc" }, spec: {} },
    Endpoints: { metadata: { name: "ep" } },
    ServiceAccount: { metadata: { name: "sa" } },
    Event: { metadata: { name: "ev" }, involvedObject: { kind: "Pod", name: "nginx" } },
    Deployment: { metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [] } } } },
    ReplicaSet: { metadata: { name: "rs" }, spec: { selector: { matchLabels: { a: "b" } } } },
    DaemonSet: { metadata: { name: "ds" }, spec: { selector: {}, template: { spec: { containers: [] } } } },
    Job: { metadata: { name: "j" }, spec: { template: { spec: { containers: [] } } } },
    CronJob: { metadata: { name: "cj" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { containers: [] } } } } } },
    Ingress: { metadata: { name: "ing" } },
    IngressClass: { metadata: { name: "ic" } },
    EndpointSlice: { metadata: { name: "es" }, addressType: "IPv4", endpoints: [] },
    Lease: { metadata: { name: "l" } },
    Role: { metadata: { name: "r" } },
    ClusterRole: { metadata: { name: "cr" } },
    RoleBinding: { metadata: { name: "rb" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" } },
    ClusterRoleBinding: { metadata: { name: "crb" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cr" } },
  };

  it("prints one cell per column, Age showing <unknown> without a creation time", () => {
    // Access reviews are never listed, so they have no table.
    for (const t of resourceTypes.filter((t) => t.persisted)) {
      const obj = minimal[t.kind];
      expect(obj, `sample for ${t.kind}`).toBeDefined();
      const table = toTable(t, [obj], { now });
      expect(table.rows[0].cells, t.kind).toHaveLength(table.columnDefinitions!.length);
      const age = table.columnDefinitions!.findIndex((c) => c.name === "Age");
      if (age >= 0) expect(table.rows[0].cells[age], t.kind).toBe("<unknown>");
    }
  });
});
