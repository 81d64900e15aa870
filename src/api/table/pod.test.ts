import { describe, expect, it } from "vitest";
import type { Pod } from "../../schema/core.js";
import { podPrinter } from "./pod.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

type Status = NonNullable<Pod["status"]>;
type CS = NonNullable<Status["containerStatuses"]>[number];

const running = (name: string, extra: Partial<CS> = {}): CS => ({
  name,
  ready: true,
  started: true,
  restartCount: 0,
  image: "nginx:1.25",
  imageID: "docker-pullable://nginx@sha256:abc",
  containerID: "docker://123",
  state: { running: { startedAt: ago(20) } },
  ...extra,
});

const waiting = (name: string, reason: string, extra: Partial<CS> = {}): CS => ({
  name,
  ready: false,
  restartCount: 0,
  image: "nginx:1.25",
  imageID: "",
  state: { waiting: { reason } },
  ...extra,
});

const terminated = (name: string, t: { exitCode: number; reason?: string; signal?: number }, extra: Partial<CS> = {}): CS => ({
  name,
  ready: false,
  restartCount: 0,
  image: "busybox",
  imageID: "",
  state: { terminated: { ...t, startedAt: ago(60), finishedAt: ago(30) } },
  ...extra,
});

function pod(opts: {
  containers?: string[];
  initContainers?: { name: string; restartPolicy?: string }[];
  status?: Status;
  deletionTimestamp?: string;
  nodeName?: string;
  readinessGates?: string[];
}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "nginx",
      namespace: "default",
      uid: "8c5e",
      resourceVersion: "120",
      creationTimestamp: ago(23),
      labels: { app: "nginx" },
      ...(opts.deletionTimestamp ? { deletionTimestamp: opts.deletionTimestamp } : {}),
    },
    spec: {
      containers: (opts.containers ?? ["nginx"]).map((name) => ({ name, image: "nginx:1.25" })),
      ...(opts.initContainers ? { initContainers: opts.initContainers.map((c) => ({ image: "busybox", ...c })) } : {}),
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      ...(opts.readinessGates ? { readinessGates: opts.readinessGates.map((conditionType) => ({ conditionType })) } : {}),
    },
    status: opts.status,
  };
}

const cells = (p: Pod) => podPrinter.print(p, now).cells;
/** Ready, Status, Restarts. */
const summary = (p: Pod) => cells(p).slice(1, 4);

describe("Pod row", () => {
  it("renders a running pod like the table kubectl accepted", () => {
    const p = pod({
      nodeName: "node1",
      status: {
        phase: "Running",
        podIP: "10.1.0.118",
        podIPs: [{ ip: "10.1.0.118" }],
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [running("nginx")],
      },
    });
    expect(cells(p)).toEqual(["nginx", "1/1", "Running", "0", "23s", "10.1.0.118", "node1", "<none>", "<none>"]);
    expect(podPrinter.print(p, now).conditions).toBeUndefined();
  });

  it("shows Pending and <none> for an unscheduled pod", () => {
    expect(cells(pod({ status: { phase: "Pending" } }))).toEqual([
      "nginx",
      "0/1",
      "Pending",
      "0",
      "23s",
      "<none>",
      "<none>",
      "<none>",
      "<none>",
    ]);
    expect(summary(pod({}))).toEqual(["0/1", "", "0"]);
  });

  it("shows a waiting container's reason", () => {
    const p = pod({ nodeName: "node1", status: { phase: "Pending", containerStatuses: [waiting("nginx", "ContainerCreating")] } });
    expect(summary(p)).toEqual(["0/1", "ContainerCreating", "0"]);
  });

  it("shows CrashLoopBackOff with restarts and how long ago the last one was", () => {
    const p = pod({
      status: {
        phase: "Running",
        containerStatuses: [
          waiting("nginx", "CrashLoopBackOff", {
            restartCount: 3,
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(12) } },
          }),
        ],
      },
    });
    expect(summary(p)).toEqual(["0/1", "CrashLoopBackOff", "3 (12s ago)"]);
  });

  it("lets the first container's reason win when several report one", () => {
    const p = pod({
      containers: ["app", "sidecar"],
      status: { phase: "Pending", containerStatuses: [waiting("app", "ImagePullBackOff"), waiting("sidecar", "ContainerCreating")] },
    });
    expect(summary(p)).toEqual(["0/2", "ImagePullBackOff", "0"]);
  });

  it("shows Completed for a finished pod and marks the row completed", () => {
    const p = pod({ status: { phase: "Succeeded", containerStatuses: [terminated("nginx", { exitCode: 0, reason: "Completed" })] } });
    expect(summary(p)).toEqual(["0/1", "Completed", "0"]);
    expect(podPrinter.print(p, now).conditions).toEqual([
      { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
    ]);
  });

  it("shows Error, ExitCode:N and Signal:N for failed containers", () => {
    const failed = (t: { exitCode: number; reason?: string; signal?: number }) =>
      summary(pod({ status: { phase: "Failed", containerStatuses: [terminated("nginx", t)] } }))[1];
    expect(failed({ exitCode: 1, reason: "Error" })).toBe("Error");
    expect(failed({ exitCode: 2 })).toBe("ExitCode:2");
    expect(failed({ exitCode: 137, signal: 9 })).toBe("Signal:9");
    expect(podPrinter.print(pod({ status: { phase: "Failed" } }), now).conditions?.[0].reason).toBe("Failed");
  });

  it("turns Completed back into Running/NotReady while another container still runs", () => {
    const statuses = [terminated("job", { exitCode: 0, reason: "Completed" }), running("proxy")];
    const ready = pod({
      containers: ["job", "proxy"],
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: statuses },
    });
    expect(summary(ready)).toEqual(["1/2", "Running", "0"]);
    const notReady = pod({ containers: ["job", "proxy"], status: { phase: "Running", containerStatuses: statuses } });
    expect(summary(notReady)[1]).toBe("NotReady");
  });

  describe("init containers", () => {
    const init = [{ name: "migrate" }];

    it("Init:0/1 while the first init container runs", () => {
      const p = pod({
        initContainers: init,
        status: {
          phase: "Pending",
          initContainerStatuses: [running("migrate", { ready: false })],
          containerStatuses: [waiting("nginx", "PodInitializing")],
        },
      });
      expect(summary(p)).toEqual(["0/1", "Init:0/1", "0"]);
    });

    it("Init:1/2 once the first of two has succeeded", () => {
      const p = pod({
        initContainers: [{ name: "a" }, { name: "b" }],
        status: {
          phase: "Pending",
          initContainerStatuses: [terminated("a", { exitCode: 0, reason: "Completed" }), running("b")],
        },
      });
      expect(summary(p)[1]).toBe("Init:1/2");
    });

    it("Init:CrashLoopBackOff counts init restarts", () => {
      const p = pod({
        initContainers: init,
        status: {
          phase: "Pending",
          initContainerStatuses: [
            waiting("migrate", "CrashLoopBackOff", {
              restartCount: 4,
              lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } },
            }),
          ],
        },
      });
      expect(summary(p)).toEqual(["0/1", "Init:CrashLoopBackOff", "4 (30s ago)"]);
    });

    it("Init:Error, Init:ExitCode:N and Init:Signal:N for a failed init container", () => {
      const failedInit = (t: { exitCode: number; reason?: string; signal?: number }) =>
        summary(pod({ initContainers: init, status: { phase: "Pending", initContainerStatuses: [terminated("migrate", t)] } }))[1];
      expect(failedInit({ exitCode: 1, reason: "Error" })).toBe("Init:Error");
      expect(failedInit({ exitCode: 3 })).toBe("Init:ExitCode:3");
      expect(failedInit({ exitCode: 143, signal: 15 })).toBe("Init:Signal:15");
    });

    it("counts a started sidecar (restartPolicy Always) as a ready container", () => {
      const p = pod({
        initContainers: [{ name: "mesh", restartPolicy: "Always" }],
        status: {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [running("mesh", { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } })],
          containerStatuses: [running("nginx")],
        },
      });
      expect(summary(p)).toEqual(["2/2", "Running", "1 (5m ago)"]);
    });
  });

  it("shows Terminating while a deletion is pending, but not for finished pods", () => {
    const status: Status = { phase: "Running", containerStatuses: [running("nginx")] };
    expect(summary(pod({ status, deletionTimestamp: ago(1) }))[1]).toBe("Terminating");
    const done: Status = { phase: "Succeeded", containerStatuses: [terminated("nginx", { exitCode: 0, reason: "Completed" })] };
    expect(summary(pod({ status: done, deletionTimestamp: ago(1) }))[1]).toBe("Completed");
  });

  it("shows NodeLost, and Unknown once such a pod is being deleted", () => {
    const status: Status = { phase: "Running", reason: "NodeLost", containerStatuses: [] };
    expect(summary(pod({ status }))[1]).toBe("NodeLost");
    expect(summary(pod({ status, deletionTimestamp: ago(1) }))[1]).toBe("Unknown");
  });

  it("shows SchedulingGated for a gated pod", () => {
    const p = pod({
      status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] },
    });
    expect(summary(p)[1]).toBe("SchedulingGated");
  });

  it("counts passing readiness gates and uses the nominated node", () => {
    const p = pod({
      readinessGates: ["example.com/lb-ready", "example.com/warm"],
      status: {
        phase: "Pending",
        nominatedNodeName: "node2",
        conditions: [
          { type: "example.com/lb-ready", status: "True" },
          { type: "example.com/warm", status: "False" },
        ],
      },
    });
    expect(cells(p).slice(7)).toEqual(["node2", "1/2"]);
  });

  it("declares the upstream column set, wide columns at priority 1", () => {
    expect(podPrinter.columns.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0],
      ["Ready", 0],
      ["Status", 0],
      ["Restarts", 0],
      ["Age", 0],
      ["IP", 1],
      ["Node", 1],
      ["Nominated Node", 1],
      ["Readiness Gates", 1],
    ]);
    expect(podPrinter.columns[0].format).toBe("name");
  });
});
