import { describe, expect, it } from "vitest";
import { CronError, nextScheduleTime, parseGoDuration, parseSchedule } from "./cron.js";

const at = (iso: string) => Date.parse(iso);
const next = (schedule: string, after: string, tz?: string) => {
  const t = nextScheduleTime(schedule, at(after), tz);
  return t === undefined ? undefined : new Date(t).toISOString();
};
/** The next `n` activations after `after`. */
function series(schedule: string, after: string, n: number, tz?: string): string[] {
  const s = parseSchedule(schedule, tz);
  const out: string[] = [];
  let t = at(after);
  for (let i = 0; i < n; i++) {
    t = s.next(t)!;
    out.push(new Date(t).toISOString());
  }
  return out;
}

describe("cron schedules", () => {
  it.each([
    ["*/5 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00.000Z"],
    ["*/5 * * * *", "2026-01-01T00:04:59Z", "2026-01-01T00:05:00.000Z"],
    ["0 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00.000Z"],
    ["30 2 * * *", "2026-01-01T03:00:00Z", "2026-01-02T02:30:00.000Z"],
    ["0 0 1 * *", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00.000Z"],
    ["0 0 * * MON-FRI", "2026-01-02T12:00:00Z", "2026-01-05T00:00:00.000Z"], // Friday → Monday
    ["15 10 * JAN,jul *", "2026-02-01T00:00:00Z", "2026-07-01T10:15:00.000Z"],
    ["5/20 * * * *", "2026-01-01T00:06:00Z", "2026-01-01T00:25:00.000Z"],
    ["0 9-17/4 * * *", "2026-01-01T10:00:00Z", "2026-01-01T13:00:00.000Z"],
    ["0 0 31 * *", "2026-02-01T00:00:00Z", "2026-03-31T00:00:00.000Z"],
    ["@hourly", "2026-01-01T00:30:00Z", "2026-01-01T01:00:00.000Z"],
    ["@daily", "2026-01-01T00:30:00Z", "2026-01-02T00:00:00.000Z"],
    ["@midnight", "2026-01-01T00:30:00Z", "2026-01-02T00:00:00.000Z"],
    ["@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00.000Z"], // Sunday
    ["@monthly", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00.000Z"],
    ["@yearly", "2026-01-15T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    ["@annually", "2026-01-15T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    ["0 0 ? * 0", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00.000Z"],
  ])("%s after %s → %s", (schedule, after, want) => {
    expect(next(schedule, after)).toBe(want);
  });

  it("finds Feb 29 only in leap years", () => {
    expect(next("0 0 29 2 *", "2026-01-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(series("0 12 29 2 *", "2028-03-01T00:00:00Z", 1)).toEqual(["2032-02-29T12:00:00.000Z"]);
  });

  it("gives up after five years on a date that never comes", () => {
    expect(next("0 0 30 2 *", "2026-01-01T00:00:00Z")).toBeUndefined();
  });

  it("matches day-of-month OR day-of-week when both are restricted, AND when one is *", () => {
    // The 13th or any Friday.
    expect(series("0 0 13 * FRI", "2026-02-01T00:00:00Z", 4)).toEqual([
      "2026-02-06T00:00:00.000Z",
      "2026-02-13T00:00:00.000Z",
      "2026-02-20T00:00:00.000Z",
      "2026-02-27T00:00:00.000Z",
    ]);
    expect(series("0 0 1 * *", "2026-02-01T00:00:00Z", 2)).toEqual(["2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
    // A stepped day-of-week is not `*`: OR again.
    expect(next("0 0 15 * */2", "2026-01-14T12:00:00Z")).toBe("2026-01-15T00:00:00.000Z"); // Thursday: dow 4 matches */2
  });

  it("rolls over years and month ends", () => {
    expect(next("59 23 31 12 *", "2026-12-31T23:59:00Z")).toBe("2027-12-31T23:59:00.000Z");
    expect(series("0 0 31 * *", "2026-04-01T00:00:00Z", 2)).toEqual(["2026-05-31T00:00:00.000Z", "2026-07-31T00:00:00.000Z"]);
  });

  it("supports @every and Go durations", () => {
    expect(next("@every 1h30m", "2026-01-01T00:00:00.500Z")).toBe("2026-01-01T01:30:00.000Z");
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("90s")).toBe(90_000);
    expect(next("@every 10ms", "2026-01-01T00:00:00Z")).toBe("2026-01-01T00:00:01.000Z");
  });

  it("applies time zones: fixed offsets, TZ= prefixes and IANA names", () => {
    expect(next("0 9 * * *", "2026-01-01T00:00:00Z", "+05:30")).toBe("2026-01-01T03:30:00.000Z");
    expect(next("TZ=Etc/GMT+5 0 9 * * *", "2026-01-01T00:00:00Z")).toBe("2026-01-01T14:00:00.000Z");
    expect(next("0 9 * * *", "2026-07-01T00:00:00Z", "Europe/Berlin")).toBe("2026-07-01T07:00:00.000Z");
    expect(next("0 9 * * *", "2026-01-01T00:00:00Z", "Europe/Berlin")).toBe("2026-01-01T08:00:00.000Z");
    expect(() => parseSchedule("* * * * *", "Mars/Olympus")).toThrow(CronError);
  });

  it.each([
    ["", "empty spec string"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["* * * * * *", "expected exactly 5 fields, found 6"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["1/2/3 * * * *", "too many slashes: 1/2/3"],
    ["a * * * *", "failed to parse int from a: invalid syntax"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
  ])("rejects %j", (schedule, message) => {
    expect(() => parseSchedule(schedule)).toThrow(message);
  });
});
