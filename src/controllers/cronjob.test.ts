import { describe, expect, it } from "vitest";
import { reconcileCronJob, syncCronJob } from "./cronjob.js";
import { syncJob } from "./job.js";
import { FakeNamespace, T0, makeCronJob, makeJob, sequentialSuffix, type ControllerPass } from "./testing/workloads.js";
import type { CronJob, Job } from "../schema/batch.js";
import type { Action } from "./types.js";
import { formatTime } from "./time.js";

const MIN = 60_000;
const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const ref = { apiVersion: "batch/v1", kind: "CronJob", name: "tick", uid: "uid-tick", controller: true };

/** A Job this CronJob created for the given scheduled time. */
function child(scheduled: number, state: "running" | "Complete" | "Failed" = "running"): Job {
  const name = `tick-${scheduled / MIN}`;
  const job = makeJob(name, {}, { ownerReferences: [ref] });
  job.status = { startTime: formatTime(scheduled) };
  if (state !== "running") {
    job.status.conditions = [{ type: state, status: "True", lastTransitionTime: formatTime(scheduled + 30_000) }];
    if (state === "Complete") job.status.completionTime = formatTime(scheduled + 30_000);
  }
  return job;
}

const activeRef = (scheduled: number) => ({ kind: "Job", namespace: "default", name: `tick-${scheduled / MIN}`, apiVersion: "batch/v1", uid: `uid-tick-${scheduled / MIN}` });

describe("reconcileCronJob", () => {
  const cj = makeCronJob("tick", { schedule: "*/5 * * * *" });

  it("waits for the first schedule time and requeues for it", () => {
    expect(reconcileCronJob(cj, [], T0 + MIN)).toEqual({ actions: [], requeueAfter: 4 * MIN + 100 });
  });

  it("creates the Job for a passed schedule time, named by minutes since the epoch", () => {
    const now = T0 + 5 * MIN + 2000;
    const { actions, requeueAfter } = reconcileCronJob(cj, [], now);
    const job = of(actions, "create")[0].object as Job;
    const scheduled = T0 + 5 * MIN;
    expect(job.metadata.name).toBe(`tick-${scheduled / MIN}`);
    expect(job.metadata.ownerReferences).toEqual([{ ...ref, blockOwnerDeletion: true }]);
    expect(job.metadata.annotations).toEqual({ "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:05:00Z" });
    expect(job.spec).toEqual(cj.spec.jobTemplate.spec);
    const status = of(actions, "updateStatus")[0].object.status;
    expect(status).toEqual({
      active: [{ kind: "Job", namespace: "default", name: job.metadata.name, apiVersion: "batch/v1" }],
      lastScheduleTime: "2026-01-01T00:05:00Z",
    });
    expect(of(actions, "event").map((e) => `${e.reason}: ${e.message}`)).toEqual([`SuccessfulCreate: Created job ${job.metadata.name}`]);
    expect(requeueAfter).toBe(T0 + 10 * MIN + 100 - now);
  });

  it("runs only the most recent of several missed times", () => {
    const { actions } = reconcileCronJob(cj, [], T0 + 23 * MIN);
    expect(of(actions, "create").map((c) => c.object.metadata.name)).toEqual([`tick-${(T0 + 20 * MIN) / MIN}`]);
  });

  it("reports too many missed start times past 100", () => {
    const { actions } = reconcileCronJob(cj, [], T0 + 24 * 60 * MIN);
    expect(of(actions, "event").map((e) => e.reason)).toEqual(["TooManyMissedTimes", "SuccessfulCreate"]);
  });

  it("skips a time older than startingDeadlineSeconds", () => {
    const late = makeCronJob("tick", { schedule: "*/5 * * * *", startingDeadlineSeconds: 60 });
    const { actions } = reconcileCronJob(late, [], T0 + 7 * MIN);
    expect(of(actions, "create")).toHaveLength(0);
    const within = reconcileCronJob(late, [], T0 + 5 * MIN + 30_000);
    expect(of(within.actions, "create")).toHaveLength(1);
  });

  it("does nothing while suspended", () => {
    const suspended = makeCronJob("tick", { suspend: true });
    expect(reconcileCronJob(suspended, [], T0 + 60 * MIN).actions).toEqual([]);
  });

  describe("concurrencyPolicy", () => {
    const running = child(T0 + 5 * MIN);
    const withActive = (policy: "Allow" | "Forbid" | "Replace"): CronJob => ({
      ...makeCronJob("tick", { concurrencyPolicy: policy }),
      status: { active: [activeRef(T0 + 5 * MIN)], lastScheduleTime: formatTime(T0 + 5 * MIN) },
    });
    const now = T0 + 10 * MIN + 1000;

    it("Allow starts the next run alongside", () => {
      const { actions } = reconcileCronJob(withActive("Allow"), [running], now);
      expect(of(actions, "create")).toHaveLength(1);
      expect(of(actions, "updateStatus")[0].object.status.active).toHaveLength(2);
    });

    it("Forbid skips while a run is active", () => {
      const { actions, requeueAfter } = reconcileCronJob(withActive("Forbid"), [running], now);
      expect(of(actions, "create")).toHaveLength(0);
      expect(of(actions, "event").map((e) => e.reason)).toEqual(["JobAlreadyActive"]);
      expect(requeueAfter).toBe(T0 + 15 * MIN + 100 - now);
    });

    it("Replace deletes the active run and starts a new one", () => {
      const { actions } = reconcileCronJob(withActive("Replace"), [running], now);
      expect(of(actions, "delete")).toEqual([{ type: "delete", resource: "jobs", name: running.metadata.name, uid: running.metadata.uid, propagationPolicy: "Background" }]);
      expect(of(actions, "create")).toHaveLength(1);
      expect(of(actions, "updateStatus")[0].object.status.active.map((r: { name: string }) => r.name)).toEqual([`tick-${(T0 + 10 * MIN) / MIN}`]);
    });
  });

  it("tracks finished and missing Jobs and lastSuccessfulTime", () => {
    const base = makeCronJob("tick");
    const done = child(T0 + 5 * MIN, "Complete");
    const seen: CronJob = { ...base, status: { active: [activeRef(T0 + 5 * MIN), activeRef(T0 + 10 * MIN)], lastScheduleTime: formatTime(T0 + 10 * MIN) } };
    const { actions } = reconcileCronJob(seen, [done], T0 + 11 * MIN);
    expect(of(actions, "event").map((e) => e.reason)).toEqual(["SawCompletedJob", "MissingJob"]);
    const status = of(actions, "updateStatus")[0].object.status;
    expect(status.active).toBeUndefined();
    const later = reconcileCronJob({ ...base, status }, [done], T0 + 11 * MIN);
    expect(of(later.actions, "updateStatus")[0].object.status.lastSuccessfulTime).toBe(formatTime(T0 + 5 * MIN + 30_000));
  });

  it("keeps 3 successful and 1 failed finished Jobs by default, deleting the oldest", () => {
    const jobs = [5, 10, 15, 20, 25].map((m) => child(T0 + m * MIN, "Complete")).concat([30, 35].map((m) => child(T0 + m * MIN, "Failed")));
    const status = { lastScheduleTime: formatTime(T0 + 35 * MIN) };
    const { actions } = reconcileCronJob({ ...makeCronJob("tick"), status }, jobs, T0 + 36 * MIN);
    expect(of(actions, "delete").map((d) => d.name)).toEqual([5, 10, 30].map((m) => `tick-${(T0 + m * MIN) / MIN}`));
  });

  it("stamps the scheduled time in the CronJob's time zone", () => {
    const zoned = makeCronJob("tick", { schedule: "0 9 * * *", timeZone: "+05:30" });
    const { actions } = reconcileCronJob(zoned, [], T0 + 4 * 60 * MIN);
    const job = of(actions, "create")[0].object as Job;
    expect(job.metadata.annotations!["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe("2026-01-01T09:00:00+05:30");
    const bad = reconcileCronJob(makeCronJob("tick", { timeZone: "Nowhere/Land" }), [], T0 + 60 * MIN);
    expect(of(bad.actions, "event").map((e) => e.reason)).toEqual(["UnknownTimeZone"]);
  });

  it("drives Jobs through the job controller over time", () => {
    const ns = new FakeNamespace();
    ns.put("cronjobs", makeCronJob("tick", { schedule: "*/5 * * * *", concurrencyPolicy: "Forbid" }));
    const suffix = sequentialSuffix();
    const cronjobs: ControllerPass = (n) => n.list("cronjobs").flatMap((c) => syncCronJob(n.snapshot(), c.metadata.name!).actions);
    const jobs: ControllerPass = (n) => n.list("jobs").flatMap((j) => syncJob(n.snapshot(), j.metadata.name!, suffix).actions);
    for (let minute = 0; minute <= 30; minute++) {
      ns.now = T0 + minute * MIN + 500;
      for (const pass of [cronjobs, jobs, cronjobs]) ns.apply(pass(ns));
      for (const pod of ns.list("pods")) if (!(pod as { status?: { phase?: string } }).status?.phase?.match(/Succeeded|Failed/)) ns.finishPod(pod.metadata.name!, "Succeeded");
    }
    const names = ns.list("jobs").map((j) => j.metadata.name).sort();
    // Three finished runs are kept; the one started at minute 30 is still running.
    expect(names).toEqual([15, 20, 25, 30].map((m) => `tick-${(T0 + m * MIN) / MIN}`));
    const status = ns.get<CronJob>("cronjobs", "tick")!.status!;
    expect(status.lastScheduleTime).toBe(formatTime(T0 + 30 * MIN));
    expect(status.lastSuccessfulTime).toBe(formatTime(T0 + 25 * MIN + 500 + MIN));
  });
});
