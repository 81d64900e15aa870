/**
 * Which scheduled time a CronJob should act on now, after upstream
 * pkg/controller/cronjob/utils.go: only the most recent missed time runs,
 * startingDeadlineSeconds bounds how far back to look, and more than 100
 * missed times is reported rather than enumerated.
 */
import type { CronJob } from "../schema/batch.js";
import type { Schedule } from "./cron.js";
import { parseTime } from "./time.js";

/** Upstream pads requeues by 100 ms against clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
const TOO_MANY_MISSED = 100;

export interface MostRecent {
  earliest: number;
  /** The latest schedule time in (earliest, now], if any. */
  mostRecent?: number;
  missed: number;
  /** Set when the schedule fires less than a second apart, or never again (e.g. `0 0 30 2 *`). */
  error?: string;
}

export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && sds != null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined) return { earliest, missed: 0, error: "no schedule time within five years" };
  if (now < t1) return { earliest, missed: 0 };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 0 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 0, error: "time difference between two schedules is less than 1 second" };
  const missed = Math.floor(Math.floor((now - t1) / 1000) / between) + 1;
  // Jump close to now by whole intervals (exact for regular schedules and @every), then walk.
  let t: number | undefined = t1 + (t2 - t1) * (missed - 1);
  if (t > now) t = t1;
  let mostRecent: number | undefined;
  for (; t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed };
}

export const tooManyMissed = (r: MostRecent) => r.missed > TOO_MANY_MISSED;

/** nextScheduleTimeDuration: ms until the next schedule time after the last one handled, plus the pad. */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  const from = r.error ? now : (r.mostRecent ?? (r.missed === 0 ? r.earliest : now));
  const next = schedule.next(from);
  return next === undefined ? undefined : Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - now);
}
