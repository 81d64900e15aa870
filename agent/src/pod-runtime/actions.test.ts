import { describe, expect, it } from "vitest";
import { computePodActions, terminalPhase, type PodSyncContext } from "./actions.js";
import { containerSpecHash } from "./pod-spec.js";
import { observedContainer, testPod as pod } from "./pod-fixtures.js";
import type { ObservedContainer, StartFailure } from "./types.js";

const NOW = 1_000_000_000;
const backoff = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

function context(overrides: Partial<PodSyncContext> = {}): PodSyncContext {
  return { now: NOW, backoff, unhealthy: new Map(), startFailures: new Map(), ...overrides };
}

let nextId = 0;
const observed = (role: ObservedContainer["role"], containerName: string, fields: Partial<ObservedContainer> = {}) =>
  observedContainer(role, containerName, { id: `c${nextId++}`, createdAt: NOW - 60_000, startedAt: NOW - 60_000, imageId: "sha256:1", ...fields });

const sandbox = (fields: Partial<ObservedContainer> = {}) => observed("infra", "POD", { id: "sandbox", ip: "172.17.0.2", ...fields });
const app = (fields: Partial<ObservedContainer> = {}) =>
  observed("app", "app", { sandboxId: "sandbox", specHash: containerSpecHash({ name: "app", image: "img:1" }), ...fields });
const exited = (exitCode: number, finishedAgoMs = 1_000, ranMs = 1_000): Partial<ObservedContainer> => ({
  state: "exited",
  exitCode,
  finishedAt: NOW - finishedAgoMs,
  startedAt: NOW - finishedAgoMs - ranMs,
});

const types = (plan: ReturnType<typeof computePodActions>) => plan.actions.map((a) => a.type);

describe("computePodActions: starting a pod", () => {
  it("creates the sandbox first, then the app containers", () => {
    expect(computePodActions(pod(), [], context()).actions).toEqual([{ type: "createSandbox", attempt: 0 }]);
    const plan = computePodActions(pod(), [sandbox()], context());
    expect(plan.actions).toEqual([
      { type: "startContainer", container: { name: "app", image: "img:1" }, role: "app", attempt: 0, backoffStep: 0 },
    ]);
    expect(plan.sandbox?.id).toBe("sandbox");
  });

  it("does nothing when everything runs as desired (adoption is a no-op)", () => {
    expect(computePodActions(pod(), [sandbox(), app()], context()).actions).toEqual([]);
  });

  it("runs init containers one at a time, in order, before app containers", () => {
    const spec = { initContainers: [{ name: "one" }, { name: "two" }] };
    const first = computePodActions(pod(spec), [sandbox()], context());
    expect(first.actions).toMatchObject([{ type: "startContainer", role: "init", container: { name: "one" } }]);
    const waiting = computePodActions(pod(spec), [sandbox(), observed("init", "one", { sandboxId: "sandbox" })], context());
    expect(waiting.actions).toEqual([]);
    const second = computePodActions(
      pod(spec),
      [sandbox(), observed("init", "one", { sandboxId: "sandbox", ...exited(0) })],
      context(),
    );
    expect(second.actions).toMatchObject([{ type: "startContainer", role: "init", container: { name: "two" } }]);
    const apps = computePodActions(
      pod(spec),
      [
        sandbox(),
        observed("init", "one", { sandboxId: "sandbox", ...exited(0) }),
        observed("init", "two", { sandboxId: "sandbox", ...exited(0) }),
      ],
      context(),
    );
    expect(apps.actions).toMatchObject([{ type: "startContainer", role: "app" }]);
  });

  it("reruns init containers in a new sandbox", () => {
    const plan = computePodActions(
      pod({ initContainers: [{ name: "one" }] }),
      [sandbox({ attempt: 1 }), observed("init", "one", { sandboxId: "old", ...exited(0) })],
      context(),
    );
    expect(plan.actions).toMatchObject([{ type: "startContainer", role: "init", attempt: 1 }]);
  });

  it("starts a container left created by an interrupted agent instead of making another", () => {
    const plan = computePodActions(pod(), [sandbox(), app({ id: "half", state: "created" })], context());
    expect(plan.actions).toEqual([{ type: "startCreated", id: "half", containerName: "app" }]);
  });

  it("waits out a failed image pull before trying again", () => {
    const failure: StartFailure = { reason: "ErrImagePull", message: "x", retryAt: NOW + 5_000, failedAt: NOW, failures: 1 };
    const plan = computePodActions(pod(), [sandbox()], context({ startFailures: new Map([["app", failure]]) }));
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAt).toBe(NOW + 5_000);
  });
});

describe("computePodActions: restarts", () => {
  it("restarts a crashed container at once the first time, then backs off", () => {
    const first = computePodActions(pod(), [sandbox(), app(exited(1))], context());
    expect(first.actions).toMatchObject([{ type: "startContainer", attempt: 1, backoffStep: 1 }]);

    const second = computePodActions(pod(), [sandbox(), app({ attempt: 1, backoffStep: 1, ...exited(1, 3_000) })], context());
    expect(second.actions).toEqual([]);
    expect(second.backoff.get("app")).toEqual({ until: NOW - 3_000 + 10_000, delayMs: 10_000 });
    expect(second.requeueAt).toBe(NOW + 7_000);

    const due = computePodActions(pod(), [sandbox(), app({ attempt: 1, backoffStep: 1, ...exited(1, 10_000) })], context());
    expect(due.actions).toMatchObject([{ type: "startContainer", attempt: 2, backoffStep: 2 }]);
  });

  it("doubles the backoff up to the cap", () => {
    const plan = computePodActions(pod(), [sandbox(), app({ attempt: 9, backoffStep: 9, ...exited(1, 1_000) })], context());
    expect(plan.backoff.get("app")?.delayMs).toBe(300_000);
  });

  it("resets the backoff after a long healthy run", () => {
    const plan = computePodActions(
      pod(),
      [sandbox(), app({ attempt: 9, backoffStep: 9, ...exited(1, 1_000, 700_000) })],
      context(),
    );
    expect(plan.actions).toMatchObject([{ type: "startContainer", attempt: 10, backoffStep: 1 }]);
  });

  it("follows restartPolicy", () => {
    const succeededApp = [sandbox(), app(exited(0))];
    const failedApp = [sandbox(), app(exited(2))];
    expect(types(computePodActions(pod({ restartPolicy: "Always" }), succeededApp, context()))).toEqual(["startContainer"]);
    expect(computePodActions(pod({ restartPolicy: "OnFailure" }), succeededApp, context()).terminal).toEqual({ phase: "Succeeded" });
    expect(types(computePodActions(pod({ restartPolicy: "OnFailure" }), failedApp, context()))).toEqual(["startContainer"]);
    const never = computePodActions(pod({ restartPolicy: "Never" }), failedApp, context());
    expect(never.terminal).toEqual({ phase: "Failed" });
    // a finished pod gives up its sandbox but keeps its containers for logs
    expect(never.actions).toMatchObject([{ type: "killContainer", id: "sandbox" }]);
  });

  it("kills a container whose liveness probe failed", () => {
    const running = app({ id: "live" });
    const plan = computePodActions(
      pod(),
      [sandbox(), running],
      context({ unhealthy: new Map([["live", { message: "Container app failed liveness probe, will be restarted" }]]) }),
    );
    expect(plan.actions).toMatchObject([
      { type: "killContainer", id: "live", message: "Container app failed liveness probe, will be restarted", gracePeriodSeconds: 30 },
    ]);
  });

  it("replaces a container whose spec changed", () => {
    const plan = computePodActions(pod({ containers: [{ name: "app", image: "img:2" }] }), [sandbox(), app()], context());
    expect(plan.actions).toMatchObject([{ type: "killContainer", message: "Container app definition changed, will be restarted" }]);
  });

  it("recreates a dead sandbox after stopping the containers stranded in it", () => {
    const stranded = computePodActions(pod(), [sandbox({ ...exited(137) }), app()], context());
    expect(stranded.actions).toMatchObject([{ type: "killContainer", containerName: "app" }]);
    const recreate = computePodActions(pod(), [sandbox({ ...exited(137) }), app(exited(137))], context());
    expect(recreate.actions).toEqual([{ type: "createSandbox", attempt: 1 }]);
  });

  it("keeps the newest two instances of a container and removes the rest", () => {
    const plan = computePodActions(
      pod(),
      [sandbox(), app({ id: "a0", ...exited(1) }), app({ id: "a1", attempt: 1, ...exited(1) }), app({ id: "a2", attempt: 2 })],
      context(),
    );
    expect(plan.actions).toEqual([{ type: "removeContainer", id: "a0" }]);
  });
});

describe("computePodActions: termination", () => {
  const deleting = pod({ terminationGracePeriodSeconds: 45 }, { deletionTimestamp: "2026-01-01T00:00:00Z", deletionGracePeriodSeconds: 20 });

  it("stops app containers within the grace period, then the sandbox, then removes all and deletes the pod", () => {
    const first = computePodActions(deleting, [sandbox(), app({ id: "a" })], context());
    expect(first.actions).toMatchObject([{ type: "killContainer", id: "a", gracePeriodSeconds: 20 }]);
    const second = computePodActions(deleting, [sandbox(), app({ id: "a", ...exited(0) })], context());
    expect(second.actions).toMatchObject([{ type: "killContainer", id: "sandbox" }]);
    const third = computePodActions(deleting, [sandbox(exited(0)), app({ id: "a", ...exited(0) })], context());
    expect(third.actions).toEqual([
      { type: "removeContainer", id: "sandbox" },
      { type: "removeContainer", id: "a" },
      { type: "removePodDirectory" },
      { type: "deletePodObject" },
    ]);
  });

  it("cleans up a pod no longer assigned here, with the grace period from its labels, without touching the API", () => {
    const first = computePodActions(undefined, [sandbox(), app({ id: "a", gracePeriodSeconds: 7 })], context());
    expect(first.actions).toMatchObject([{ type: "killContainer", id: "a", gracePeriodSeconds: 7 }]);
    const last = computePodActions(undefined, [sandbox(exited(0)), app({ id: "a", ...exited(0) })], context());
    expect(types(last)).toEqual(["removeContainer", "removeContainer", "removePodDirectory"]);
  });

  it("never gives less than the kubelet's minimum grace period", () => {
    const forced = pod({}, { deletionTimestamp: "2026-01-01T00:00:00Z", deletionGracePeriodSeconds: 0 });
    expect(computePodActions(forced, [sandbox(), app({ id: "a" })], context()).actions).toMatchObject([
      { gracePeriodSeconds: 2 },
    ]);
  });
});

describe("terminalPhase", () => {
  it("respects a phase the API already made terminal", () => {
    expect(terminalPhase(pod({}, {}), [], NOW)).toBeUndefined();
    const finished = { ...pod(), status: { phase: "Succeeded" as const } };
    expect(terminalPhase(finished, [], NOW)).toMatchObject({ phase: "Succeeded" });
  });

  it("fails a pod past its activeDeadlineSeconds", () => {
    const bounded = { ...pod({ activeDeadlineSeconds: 30 }), status: { startTime: new Date(NOW - 31_000).toISOString() } };
    expect(terminalPhase(bounded, [], NOW)).toMatchObject({ phase: "Failed", reason: "DeadlineExceeded" });
  });

  it("fails a restartPolicy=Never pod whose init container failed", () => {
    const spec = { restartPolicy: "Never" as const, initContainers: [{ name: "init" }] };
    expect(terminalPhase(pod(spec), [sandbox(), observed("init", "init", exited(1))], NOW)).toEqual({ phase: "Failed" });
  });
});

describe("computePodActions: sandbox failures", () => {
  it("waits before creating the sandbox again after it failed", () => {
    const failure: StartFailure = { reason: "ContainerCreating", message: "port is already allocated", retryAt: NOW + 4_000, failedAt: NOW, failures: 1 };
    const plan = computePodActions(pod(), [], context({ startFailures: new Map([["POD", failure]]) }));
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAt).toBe(NOW + 4_000);
  });
});
