import { describe, expect, it } from "vitest";
import type { ObservedContainer, PodPlan, StartFailure } from "./types.js";
import { observedContainer, testPod as pod } from "./pod-fixtures.js";
import { derivePodStatus, kubeTime, podPhase, qosClass, type StatusInput } from "./status.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");

const observed = (role: ObservedContainer["role"], containerName: string, fields: Partial<ObservedContainer> = {}) =>
  observedContainer(role, containerName, {
    id: `${role}-${containerName}-${fields.attempt ?? 0}`,
    createdAt: NOW - 120_000,
    startedAt: NOW - 110_000,
    imageId: "sha256:abc",
    sandboxId: role === "infra" ? undefined : "infra-POD-0",
    ...fields,
  });

const sandbox = observed("infra", "POD", { ip: "172.17.0.3" });
const emptyPlan = (): PodPlan => ({ actions: [], backoff: new Map() });

function input(overrides: Partial<StatusInput>): StatusInput {
  return {
    pod: pod(),
    observed: [sandbox],
    plan: emptyPlan(),
    startFailures: new Map(),
    probes: { isReady: () => true, isStarted: () => true },
    imageId: (c) => `docker://${c.imageId}`,
    hostIP: "10.0.0.2",
    now: NOW,
    ...overrides,
  };
}

const conditionsOf = (status: ReturnType<typeof derivePodStatus>) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));

describe("derivePodStatus", () => {
  it("reports a pod being created as Pending with ContainerCreating", () => {
    const status = derivePodStatus(input({}));
    expect(status.phase).toBe("Pending");
    expect(status.containerStatuses?.[0]).toMatchObject({
      name: "app",
      ready: false,
      restartCount: 0,
      image: "img:1",
      state: { waiting: { reason: "ContainerCreating" } },
    });
    expect(status.podIP).toBe("172.17.0.3");
    expect(status.hostIP).toBe("10.0.0.2");
    expect(status.startTime).toBe(kubeTime(NOW - 120_000));
    expect(conditionsOf(status)).toEqual({
      PodReadyToStartContainers: "True",
      Initialized: "True",
      Ready: "False",
      ContainersReady: "False",
      PodScheduled: "True",
    });
  });

  it("reports a running, ready pod", () => {
    const status = derivePodStatus(input({ observed: [sandbox, observed("app", "app")] }));
    expect(status.phase).toBe("Running");
    expect(status.containerStatuses?.[0]).toMatchObject({
      ready: true,
      started: true,
      containerID: "docker://app-app-0",
      imageID: "docker://sha256:abc",
      state: { running: { startedAt: kubeTime(NOW - 110_000) } },
    });
    expect(conditionsOf(status).Ready).toBe("True");
  });

  it("follows readiness probe results", () => {
    const status = derivePodStatus(
      input({ observed: [sandbox, observed("app", "app")], probes: { isReady: () => false, isStarted: () => true } }),
    );
    const ready = status.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });
  });

  it("reports CrashLoopBackOff with the last termination and restart count", () => {
    const crashed = observed("app", "app", {
      attempt: 3,
      state: "exited",
      exitCode: 2,
      finishedAt: NOW - 1_000,
    });
    const plan = emptyPlan();
    plan.backoff.set("app", { until: NOW + 19_000, delayMs: 20_000 });
    const status = derivePodStatus(input({ observed: [sandbox, crashed], plan }));
    expect(status.phase).toBe("Running");
    expect(status.containerStatuses?.[0]).toMatchObject({
      restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app pod=web_default(uid-1)" } },
      lastState: { terminated: { exitCode: 2, reason: "Error", finishedAt: kubeTime(NOW - 1_000) } },
    });
  });

  it("reports OOMKilled and completed containers and the final phase", () => {
    const oom = derivePodStatus(
      input({
        pod: pod({ restartPolicy: "Never" }),
        observed: [sandbox, observed("app", "app", { state: "exited", exitCode: 137, oomKilled: true, finishedAt: NOW })],
        plan: { ...emptyPlan(), terminal: { phase: "Failed" } },
      }),
    );
    expect(oom.phase).toBe("Failed");
    expect(oom.containerStatuses?.[0].state?.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });

    const done = derivePodStatus(
      input({
        pod: pod({ restartPolicy: "Never" }),
        observed: [observed("app", "app", { state: "exited", exitCode: 0, finishedAt: NOW })],
        plan: { ...emptyPlan(), terminal: { phase: "Succeeded" } },
      }),
    );
    expect(done.phase).toBe("Succeeded");
    expect(done.containerStatuses?.[0].state?.terminated?.reason).toBe("Completed");
    expect(done.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
  });

  it("shows ErrImagePull, then ImagePullBackOff while waiting to retry", () => {
    const failure: StartFailure = { reason: "ErrImagePull", message: "not found", failedAt: NOW, retryAt: NOW + 10_000, failures: 1 };
    const failures = new Map([["app", failure]]);
    const right = derivePodStatus(input({ startFailures: failures }));
    expect(right.containerStatuses?.[0].state?.waiting).toEqual({ reason: "ErrImagePull", message: "not found" });
    const later = derivePodStatus(input({ startFailures: failures, now: NOW + 3_000 }));
    expect(later.containerStatuses?.[0].state?.waiting?.reason).toBe("ImagePullBackOff");
  });

  it("reports init containers and PodInitializing until they finish", () => {
    const spec = { initContainers: [{ name: "setup", image: "img:1" }] };
    const status = derivePodStatus(input({ pod: pod(spec), observed: [sandbox, observed("init", "setup")] }));
    expect(status.phase).toBe("Pending");
    expect(status.initContainerStatuses?.[0].state?.running).toBeDefined();
    expect(status.containerStatuses?.[0].state?.waiting?.reason).toBe("PodInitializing");
    expect(status.conditions?.find((c) => c.type === "Initialized")).toMatchObject({
      status: "False",
      reason: "ContainersNotInitialized",
      message: "containers with incomplete status: [setup]",
    });
  });

  it("keeps lastTransitionTime for conditions that did not change", () => {
    const first = derivePodStatus(input({ observed: [sandbox, observed("app", "app")] }));
    const later = derivePodStatus(input({ observed: [sandbox, observed("app", "app")], now: NOW + 60_000, previous: first }));
    expect(later).toEqual(first);
  });

  it("keeps the known pod IP once the sandbox of a finished pod is gone", () => {
    const finished = { ...pod({ restartPolicy: "Never" }), status: { podIP: "172.17.0.3" } };
    const status = derivePodStatus(
      input({
        pod: finished,
        observed: [observed("infra", "POD", { state: "exited", exitCode: 0 }), observed("app", "app", { state: "exited", exitCode: 0 })],
        plan: { ...emptyPlan(), terminal: { phase: "Succeeded" } },
      }),
    );
    expect(status.podIP).toBe("172.17.0.3");
  });
});

describe("podPhase", () => {
  it("is Running while an Always pod restarts, Failed when a Never pod failed", () => {
    const waitingAfterCrash = [{ name: "a", ready: false, restartCount: 1, image: "", imageID: "", state: { waiting: {} }, lastState: { terminated: { exitCode: 1 } } }];
    expect(podPhase(pod(), waitingAfterCrash, true)).toBe("Running");
    const failed = [{ name: "a", ready: false, restartCount: 0, image: "", imageID: "", state: { terminated: { exitCode: 1 } } }];
    expect(podPhase(pod({ restartPolicy: "Never" }), failed, true)).toBe("Failed");
    expect(podPhase(pod({ restartPolicy: "OnFailure" }), failed, true)).toBe("Running");
    expect(podPhase(pod(), failed, false)).toBe("Pending");
  });
});

describe("qosClass", () => {
  it("classifies like Kubernetes", () => {
    expect(qosClass(pod())).toBe("BestEffort");
    expect(qosClass(pod({ containers: [{ name: "a", resources: { limits: { cpu: "1", memory: "1Gi" } } }] }))).toBe("Guaranteed");
    expect(qosClass(pod({ containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }] }))).toBe("Burstable");
  });
});
