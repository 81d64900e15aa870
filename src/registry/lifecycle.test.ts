import { describe, expect, it } from "vitest";
import { thrownKubeError as failure } from "../testing/thrown-kube-error.js";
import type { KubeObject } from "../schema/meta.js";
import { resourceByName } from "../schema/registry.js";
import { validateSchema } from "../api/openapi/validate.js";
import { MAX_OBJECT_BYTES, prepareForCreate, prepareForUpdate } from "./lifecycle.js";

const now = new Date("2025-01-01T00:00:00Z");
const create = (resource: string, o: unknown) =>
  prepareForCreate(resourceByName(resource)!, o as KubeObject, { now, namespace: "d", validateSchema });

const podSpec = { containers: [{ name: "c", image: "busybox" }] };
const template = { metadata: { labels: { a: "b" } }, spec: podSpec };

describe("prepareForCreate with values of the wrong type", () => {
  // Defaulting runs before validation; it must leave these to validation rather than throw a TypeError (a 500).
  const cases: [string, Record<string, unknown>][] = [
    ["pods", { spec: "x" }],
    ["pods", { spec: { containers: {} } }],
    ["pods", { spec: { containers: [5], tolerations: "x", volumes: { a: 1 } } }],
    ["pods", { spec: { containers: [{ name: "c", image: 5, ports: "x", env: {} }] } }],
    ["deployments", { spec: "x" }],
    ["deployments", { spec: { selector: { matchLabels: { a: "b" } }, strategy: "x", template } }],
    ["deployments", { spec: { selector: { matchLabels: { a: "b" } }, template: { spec: "x" } } }],
    ["daemonsets", { spec: { updateStrategy: 5, selector: { matchLabels: { a: "b" } }, template } }],
    ["cronjobs", { spec: { schedule: "* * * * *", jobTemplate: "x" } }],
    ["jobs", { spec: 1.5 }],
    ["services", { spec: { ports: 5 } }],
    ["secrets", { data: "x", stringData: { a: "b" } }],
    ["namespaces", { metadata: { name: "n", labels: "x" } }],
    ["configmaps", { metadata: { generateName: 5 } }],
  ];
  for (const [resource, o] of cases)
    it(`answers ${resource} ${JSON.stringify(o)} with 422`, () => {
      const e = failure(() => create(resource, { metadata: { name: "x" }, ...o }));
      expect(e.code).toBe(422);
    });

  it("still defaults and accepts well-formed objects", () => {
    const d = create("deployments", { metadata: { name: "x" }, spec: { selector: { matchLabels: { a: "b" } }, template } });
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect(create("pods", { metadata: { name: "p" }, spec: podSpec }).status.qosClass).toBe("BestEffort");
  });

  it("refuses a pod update whose containers are not a list, without throwing", () => {
    const pod = create("pods", { metadata: { name: "p" }, spec: podSpec });
    const e = failure(() => prepareForUpdate(resourceByName("pods")!, pod, { ...pod, spec: { ...pod.spec, containers: {} } }, undefined, { now, validateSchema }));
    expect(e.code).toBe(422);
  });
});

describe("sizes", () => {
  it("refuses ConfigMap and Secret data over 1 MiB with 422", () => {
    expect(failure(() => create("configmaps", { metadata: { name: "c" }, data: { big: "x".repeat(1024 * 1024) } })).message).toContain("Too long");
    expect(failure(() => create("secrets", { metadata: { name: "s" }, stringData: { big: "x".repeat(1024 * 1024) } })).code).toBe(422);
    const fits = create("configmaps", { metadata: { name: "c" }, data: { big: "x".repeat(1024 * 1024 - 10) } });
    expect((fits.data as Record<string, string>).big).toHaveLength(1024 * 1024 - 10);
  });

  it("refuses any object too large to store with 413", () => {
    const e = failure(() => create("leases", { metadata: { name: "l" }, spec: {}, blob: "x".repeat(MAX_OBJECT_BYTES) }));
    expect(e.code).toBe(413);
    expect(e.reason).toBe("RequestEntityTooLarge");
  });
});

describe("paths that climb out", () => {
  const pod = (spec: Record<string, unknown>) => ({ metadata: { name: "p" }, spec: { ...podSpec, ...spec } });
  it("refuses '..' in a hostPath", () => {
    const e = failure(() => create("pods", pod({ volumes: [{ name: "v", hostPath: { path: "/var/lib/../../etc" } }] })));
    expect(e.details?.causes).toContainEqual(expect.objectContaining({ field: "spec.volumes[0].hostPath.path", message: expect.stringContaining("must not contain '..'") }));
  });

  it("refuses an absolute or climbing subPath", () => {
    const mounts = (subPath: string) => pod({ volumes: [{ name: "v", emptyDir: {} }], containers: [{ name: "c", image: "i", volumeMounts: [{ name: "v", mountPath: "/d", subPath }] }] });
    expect(failure(() => create("pods", mounts("/etc"))).message).toContain("must be a relative path");
    expect(failure(() => create("pods", mounts("a/../../b"))).message).toContain("must not contain '..'");
    expect(create("pods", mounts("a/b")).spec.containers[0].volumeMounts[0].subPath).toBe("a/b");
  });
});

describe("Job selector generation", () => {
  it("gives a Job without manualSelector a selector on its uid and labels its template to match", () => {
    const job = create("jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi" }, spec: { template: { spec: { ...podSpec, restartPolicy: "Never" } } } });
    const uid = job.metadata.uid!;
    expect((job as any).spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect((job as any).spec.template.metadata.labels).toEqual({
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": uid,
      "job-name": "pi",
    });
  });

  it("keeps a manual selector as given", () => {
    const job = create("jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi" },
      spec: { manualSelector: true, selector: { matchLabels: { a: "b" } }, template: { ...template, spec: { ...podSpec, restartPolicy: "Never" } } },
    });
    expect((job as any).spec.selector).toEqual({ matchLabels: { a: "b" } });
    expect((job as any).spec.template.metadata.labels).toEqual({ a: "b" });
  });
});
