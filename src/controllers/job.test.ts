import { describe, expect, it } from "vitest";
import { reconcileJob, reconcileJobTTL, syncJob } from "./job.js";
import { backoffDuration } from "./job-backoff.js";
import { FakeNamespace, T0, makeJob, makePod, round, sequentialSuffix, settle, type ControllerPass } from "./testing/workloads.js";
import type { Job } from "../schema/batch.js";
import type { Pod } from "../schema/core.js";
import type { Action } from "./types.js";
import { formatTime } from "./time.js";

const suffix = sequentialSuffix();
const jobs: ControllerPass = (ns) => ns.list("jobs").flatMap((j) => syncJob(ns.snapshot(), j.metadata.name!, suffix).actions);
const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const job = (ns: FakeNamespace, name = "pi") => ns.get<Job>("jobs", name)!;
const conditionTypes = (j: Job) => (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
const activePods = (ns: FakeNamespace) => ns.list<Pod>("pods").filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
const podOf = (j: Job, name: string, o: Parameters<typeof makePod>[1] = {}) =>
  makePod(name, { labels: { "batch.kubernetes.io/controller-uid": j.metadata.uid! }, owner: j, ...o });

describe("reconcileJob", () => {
  it("creates parallelism pods named <job>-<suffix> with the job labels and a controllerRef", () => {
    const j = makeJob("pi", { completions: 3, parallelism: 2 });
    const { actions } = reconcileJob(j, [], T0, sequentialSuffix());
    const pods = of(actions, "create").map((c) => c.object as Pod);
    expect(pods.map((p) => p.metadata.name)).toEqual(["pi-xxxx0", "pi-xxxx1"]);
    expect(pods[0].metadata.labels).toEqual({
      app: "pi",
      "batch.kubernetes.io/controller-uid": "uid-pi",
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": "uid-pi",
      "job-name": "pi",
    });
    expect(pods[0].metadata.ownerReferences![0]).toMatchObject({ kind: "Job", name: "pi", controller: true, blockOwnerDeletion: true });
    expect(pods[0].spec.restartPolicy).toBe("Never");
    const status = of(actions, "updateStatus")[0].object.status;
    expect(status).toEqual({ startTime: formatTime(T0), active: 2, ready: 0, terminating: 0 });
    expect(of(actions, "event").map((e) => e.message)).toEqual(["Created pod: pi-xxxx0", "Created pod: pi-xxxx1"]);
  });

  it("runs to completion: SuccessCriteriaMet then Complete, completionTime and a Completed event", () => {
    const ns = new FakeNamespace();
    ns.put("jobs", makeJob("pi", { completions: 3, parallelism: 2 }));
    for (let i = 0; i < 10 && !job(ns).status?.completionTime; i++) {
      round(ns, [jobs]);
      for (const p of activePods(ns)) ns.finishPod(p.metadata.name!, "Succeeded");
      ns.now += 1000;
    }
    const done = job(ns);
    expect(done.status).toMatchObject({ succeeded: 3, ready: 0, completionTime: expect.any(String) });
    expect(done.status!.active).toBeUndefined();
    expect(conditionTypes(done)).toEqual(["SuccessCriteriaMet=True/CompletionsReached", "Complete=True/CompletionsReached"]);
    expect(ns.list("pods")).toHaveLength(3);
    expect(ns.events.filter((e) => e.reason === "Completed").map((e) => e.message)).toEqual(["Job completed"]);
    expect(reconcileJob(done, ns.list("pods"), ns.now, suffix).actions).toEqual([]);
  });

  it("with null completions stops creating after the first success and completes when all are done", () => {
    const j = makeJob("q", { completions: null, parallelism: 3 });
    const running = [podOf(j, "a"), podOf(j, "b")];
    const afterSuccess = reconcileJob(j, [podOf(j, "s", { phase: "Succeeded" }), ...running], T0, suffix);
    expect(of(afterSuccess.actions, "create")).toHaveLength(0);
    const finished = reconcileJob(j, [podOf(j, "s", { phase: "Succeeded" }), podOf(j, "a", { phase: "Succeeded" })], T0, suffix);
    expect(of(finished.actions, "updateStatus")[0].object.status.conditions.map((c: { type: string }) => c.type)).toEqual(["SuccessCriteriaMet", "Complete"]);
  });

  it("waits out the exponential backoff before replacing a failed pod", () => {
    const j = makeJob("pi");
    const failed = podOf(j, "f1", { phase: "Failed", finishedAt: T0 });
    const early = reconcileJob(j, [failed], T0 + 4000, suffix);
    expect(of(early.actions, "create")).toHaveLength(0);
    expect(early.requeueAfter).toBe(6000);
    expect(of(reconcileJob(j, [failed], T0 + 10_000, suffix).actions, "create")).toHaveLength(1);
    const twice = [failed, podOf(j, "f2", { phase: "Failed", finishedAt: T0 + 20_000 })];
    expect(reconcileJob(j, twice, T0 + 25_000, suffix).requeueAfter).toBe(15_000);
    expect([1, 2, 3, 6, 7, 10].map(backoffDuration)).toEqual([10_000, 20_000, 40_000, 320_000, 360_000, 360_000]);
  });

  it("fails with BackoffLimitExceeded after backoffLimit+1 failures, deleting active pods first", () => {
    const j = makeJob("pi", { backoffLimit: 1, parallelism: 2, completions: 4 });
    const pods = [podOf(j, "f1", { phase: "Failed", finishedAt: T0 }), podOf(j, "f2", { phase: "Failed", finishedAt: T0 }), podOf(j, "run", { readySince: T0 })];
    const first = reconcileJob(j, pods, T0 + 1000, suffix);
    expect(of(first.actions, "delete").map((d) => d.name)).toEqual(["run"]);
    const interim = of(first.actions, "updateStatus")[0].object as Job;
    expect(conditionTypes(interim)).toEqual(["FailureTarget=True/BackoffLimitExceeded"]);
    expect(interim.status).toMatchObject({ failed: 2, terminating: 1 });
    // The pod is terminating: still no Failed condition.
    const terminating = pods.map((p) => (p.metadata.name === "run" ? { ...p, metadata: { ...p.metadata, deletionTimestamp: formatTime(T0) } } : p));
    const waiting = reconcileJob(interim, terminating, T0 + 2000, suffix);
    expect(conditionTypes((of(waiting.actions, "updateStatus")[0]?.object as Job | undefined) ?? interim)).not.toContain("Failed=True/BackoffLimitExceeded");
    const gone = reconcileJob(interim, pods.slice(0, 2), T0 + 3000, suffix);
    const final = of(gone.actions, "updateStatus")[0].object as Job;
    expect(conditionTypes(final)).toEqual(["FailureTarget=True/BackoffLimitExceeded", "Failed=True/BackoffLimitExceeded"]);
    expect(final.status!.completionTime).toBeUndefined();
    expect(of(gone.actions, "event").map((e) => [e.eventType, e.reason, e.message])).toEqual([["Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit"]]);
  });

  it("counts container restarts against backoffLimit for restartPolicy OnFailure", () => {
    const j = makeJob("pi", { backoffLimit: 2 });
    j.spec.template.spec.restartPolicy = "OnFailure";
    const { actions } = reconcileJob(j, [podOf(j, "p", { restarts: 2 })], T0, suffix);
    expect(of(actions, "delete")).toHaveLength(1);
    expect(conditionTypes(of(actions, "updateStatus")[0].object as Job)).toEqual(["FailureTarget=True/BackoffLimitExceeded"]);
  });

  it("fails with DeadlineExceeded after activeDeadlineSeconds and requeues for it before", () => {
    const j = makeJob("pi", { activeDeadlineSeconds: 30 });
    j.status = { startTime: formatTime(T0), active: 1, ready: 0, terminating: 0 };
    const before = reconcileJob(j, [podOf(j, "p")], T0 + 10_000, suffix);
    expect(before.requeueAfter).toBe(20_000);
    expect(before.actions).toEqual([]);
    const after = reconcileJob(j, [podOf(j, "p")], T0 + 30_000, suffix);
    expect(of(after.actions, "delete").map((d) => d.name)).toEqual(["p"]);
    expect(conditionTypes(of(after.actions, "updateStatus")[0].object as Job)).toEqual(["FailureTarget=True/DeadlineExceeded"]);
  });

  it("suspends by deleting active pods and resumes with a fresh startTime", () => {
    const j = makeJob("pi", { suspend: true, parallelism: 2, completions: 2 });
    const created = reconcileJob(j, [], T0, suffix);
    expect(of(created.actions, "create")).toHaveLength(0);
    const suspended = of(created.actions, "updateStatus")[0].object as Job;
    expect(suspended.status!.startTime).toBeUndefined();
    expect(conditionTypes(suspended)).toEqual(["Suspended=True/JobSuspended"]);
    const withPods = reconcileJob(suspended, [podOf(suspended, "a"), podOf(suspended, "b")], T0, suffix);
    expect(of(withPods.actions, "delete")).toHaveLength(2);
    const resumed = reconcileJob({ ...suspended, spec: { ...suspended.spec, suspend: false } }, [], T0 + 60_000, suffix);
    const status = (of(resumed.actions, "updateStatus")[0].object as Job).status!;
    expect(status.startTime).toBe(formatTime(T0 + 60_000));
    expect(conditionTypes({ status } as Job)).toEqual(["Suspended=False/JobResumed"]);
    expect(of(resumed.actions, "event").map((e) => e.reason)).toContain("Resumed");
  });

  it("deletes pods beyond a lowered parallelism", () => {
    const j = makeJob("pi", { parallelism: 1, completions: 5 });
    const { actions } = reconcileJob(j, [podOf(j, "a", { readySince: T0 }), podOf(j, "b")], T0, suffix);
    expect(of(actions, "delete").map((d) => d.name)).toEqual(["b"]);
    expect(of(actions, "create")).toHaveLength(0);
  });
});

describe("ttlSecondsAfterFinished", () => {
  const finished = makeJob("pi", { ttlSecondsAfterFinished: 30 });
  finished.status = { completionTime: formatTime(T0), conditions: [{ type: "Complete", status: "True", lastTransitionTime: formatTime(T0) }] };

  it("requeues until the TTL expires, then deletes the Job in the background", () => {
    expect(reconcileJobTTL(finished, T0 + 10_000)).toEqual({ actions: [], requeueAfter: 20_000 });
    expect(reconcileJob(finished, [], T0 + 30_000, suffix).actions).toEqual([
      { type: "delete", resource: "jobs", name: "pi", uid: "uid-pi", propagationPolicy: "Background" },
    ]);
  });

  it("leaves unfinished Jobs and Jobs without a TTL alone", () => {
    expect(reconcileJobTTL(makeJob("pi", { ttlSecondsAfterFinished: 0 }), T0)).toEqual({ actions: [] });
    expect(reconcileJobTTL({ ...finished, spec: { ...finished.spec, ttlSecondsAfterFinished: undefined } }, T0 + 1e9)).toEqual({ actions: [] });
  });

  it("removes a Job with ttl 0 right after it completes", () => {
    const ns = new FakeNamespace();
    ns.put("jobs", makeJob("pi", { ttlSecondsAfterFinished: 0 }));
    settle(ns, [jobs], { ready: false, max: 3 });
    ns.finishPod(ns.list("pods")[0].metadata.name!, "Succeeded");
    settle(ns, [jobs], { ready: false });
    expect(ns.list("jobs")).toHaveLength(0);
  });
});
