import { describe, expect, it } from "vitest";
import type { DaemonSet, Deployment, ReplicaSet } from "../../schema/apps.js";
import type { CronJob, Job } from "../../schema/batch.js";
import { cronJobPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter } from "./workloads.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

const template = (containers: [string, string][], labels = { app: "web" }) => ({
  metadata: { labels },
  spec: { containers: containers.map(([name, image]) => ({ name, image })) },
});

describe("Deployment row", () => {
  const deploy = (status?: Deployment["status"], replicas = 3): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", generation: 2, creationTimestamp: ago(3600 * 26) },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: template([
        ["web", "nginx:1.26"],
        ["log", "fluent-bit:3"],
      ]),
    },
    ...(status ? { status } : {}),
  });

  it("shows ready/desired, up-to-date, available, then containers, images, selector", () => {
    const d = deploy({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 });
    expect(deploymentPrinter.print(d, now).cells).toEqual(["web", "2/3", 3, 2, "26h", "web,log", "nginx:1.26,fluent-bit:3", "app=web"]);
  });

  it("shows zeros before the controller reports status", () => {
    expect(deploymentPrinter.print(deploy(undefined, 1), now).cells.slice(1, 4)).toEqual(["0/1", 0, 0]);
  });

  it("prints set-based selectors", () => {
    const d = deploy();
    d.spec.selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "track", operator: "In", values: ["stable", "canary"] }] };
    expect(deploymentPrinter.print(d, now).cells[7]).toBe("app=web,track in (canary,stable)");
  });

  it("declares Ready, Up-to-date, Available and wide Containers, Images, Selector", () => {
    expect(deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      "Name:0",
      "Ready:0",
      "Up-to-date:0",
      "Available:0",
      "Age:0",
      "Containers:1",
      "Images:1",
      "Selector:1",
    ]);
  });
});

describe("ReplicaSet row", () => {
  it("shows desired, current and ready counts", () => {
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web-5d9f8b7c4", namespace: "default", creationTimestamp: ago(125) },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web", "pod-template-hash": "5d9f8b7c4" } },
        template: template([["web", "nginx:1.26"]]),
      },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(replicaSetPrinter.print(rs, now).cells).toEqual([
      "web-5d9f8b7c4",
      3,
      3,
      1,
      "2m5s",
      "web",
      "nginx:1.26",
      "app=web,pod-template-hash=5d9f8b7c4",
    ]);
  });
});

describe("DaemonSet row", () => {
  it("shows scheduling counts and the node selector", () => {
    const ds: DaemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "node-exporter", namespace: "monitoring", creationTimestamp: ago(86400 * 10) },
      spec: {
        selector: { matchLabels: { app: "node-exporter" } },
        template: { ...template([["exporter", "prom/node-exporter:v1.8"]]), spec: { nodeSelector: { "kubernetes.io/os": "linux" }, containers: [{ name: "exporter", image: "prom/node-exporter:v1.8" }] } },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    expect(daemonSetPrinter.print(ds, now).cells).toEqual([
      "node-exporter",
      3,
      3,
      2,
      3,
      2,
      "kubernetes.io/os=linux",
      "10d",
      "exporter",
      "prom/node-exporter:v1.8",
      "app=node-exporter",
    ]);
  });
});

describe("Job row", () => {
  const job = (spec: Partial<Job["spec"]>, status?: Job["status"], deleting = false): Job => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "pi",
      namespace: "default",
      creationTimestamp: ago(400),
      ...(deleting ? { deletionTimestamp: ago(1) } : {}),
    },
    spec: {
      completions: 1,
      parallelism: 1,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "a1b2" } },
      template: template([["pi", "perl:5.34"]], { "batch.kubernetes.io/job-name": "pi" } as never),
      ...spec,
    },
    ...(status ? { status } : {}),
  });

  it("a running job: Running, 0/1, duration so far", () => {
    expect(jobPrinter.print(job({}, { startTime: ago(185), active: 1 }), now).cells).toEqual([
      "pi",
      "Running",
      "0/1",
      "3m5s",
      "6m40s",
      "pi",
      "perl:5.34",
      "batch.kubernetes.io/controller-uid=a1b2",
    ]);
  });

  it("a complete job: Complete, 1/1, start to completion", () => {
    const status = {
      startTime: ago(300),
      completionTime: ago(290),
      succeeded: 1,
      conditions: [
        { type: "SuccessCriteriaMet", status: "True" },
        { type: "Complete", status: "True" },
      ],
    };
    expect(jobPrinter.print(job({}, status), now).cells.slice(1, 4)).toEqual(["Complete", "1/1", "10s"]);
  });

  it("failed, suspended, terminating and failure-target jobs", () => {
    const status = (type: string) => jobPrinter.print(job({}, { conditions: [{ type, status: "True" }] }), now).cells[1];
    expect(status("Failed")).toBe("Failed");
    expect(status("Suspended")).toBe("Suspended");
    expect(status("FailureTarget")).toBe("FailureTarget");
    expect(jobPrinter.print(job({}, undefined, true), now).cells[1]).toBe("Terminating");
    expect(jobPrinter.print(job({}, { conditions: [{ type: "Complete", status: "False" }] }), now).cells[1]).toBe("Running");
  });

  it("counts completions the upstream way, blank duration before start", () => {
    expect(jobPrinter.print(job({ completions: 5, parallelism: 2 }, { succeeded: 2 }), now).cells.slice(2, 4)).toEqual(["2/5", ""]);
    expect(jobPrinter.print(job({ completions: null, parallelism: 4 }, { succeeded: 1 }), now).cells[2]).toBe("1/1 of 4");
    expect(jobPrinter.print(job({ completions: null, parallelism: 1 }), now).cells[2]).toBe("0/1");
  });
});

describe("CronJob row", () => {
  it("shows schedule, timezone, suspend, active jobs and last schedule", () => {
    const cj: CronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "backup", namespace: "default", creationTimestamp: ago(86400 * 3) },
      spec: {
        schedule: "*/5 * * * *",
        suspend: false,
        jobTemplate: { spec: { template: template([["backup", "restic:0.17"]]) } },
      },
      status: { active: [{ name: "backup-29123", namespace: "default" }], lastScheduleTime: ago(95) },
    };
    expect(cronJobPrinter.print(cj, now).cells).toEqual([
      "backup",
      "*/5 * * * *",
      "<none>",
      "False",
      1,
      "95s",
      "3d",
      "backup",
      "restic:0.17",
      "<none>",
    ]);
    cj.spec.timeZone = "Europe/Paris";
    cj.spec.suspend = true;
    cj.status = {};
    expect(cronJobPrinter.print(cj, now).cells.slice(2, 6)).toEqual(["Europe/Paris", "True", 0, "<none>"]);
    delete cj.spec.suspend;
    expect(cronJobPrinter.print(cj, now).cells[3]).toBe("<unset>");
  });
});
