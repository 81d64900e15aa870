/**
 * Cron schedules as CronJobs use them: robfig/cron v3's ParseStandard (five
 * fields: minute hour day-of-month month day-of-week; ranges, steps, lists,
 * JAN..DEC / SUN..SAT names, `?`; the @yearly/@annually/@monthly/@weekly/
 * @daily/@midnight/@hourly descriptors and `@every <duration>`; an optional
 * `TZ=`/`CRON_TZ=` prefix) and its Next() search.
 *
 * Time zones: UTC, fixed offsets (`+05:30`, `Etc/GMT-3`) and, where the
 * runtime has ICU (Workers and Node do), IANA names via Intl. Fixed offsets are
 * exact. For zones with daylight saving the search runs on local wall-clock
 * time, so a time skipped by a spring-forward runs at the shifted instant and
 * a repeated fall-back hour runs once.
 */

export class CronError extends Error {}

export interface Schedule {
  /** The first activation strictly after `after` (ms), or undefined when none within 5 years. */
  next(after: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: Object.fromEntries(months.map((m, i) => [m, i + 1])) };
const DOW: Bounds = { min: 0, max: 6, names: Object.fromEntries(days.map((d, i) => [d, i])) };

const descriptors: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** A field's allowed values, and whether it was written as `*` or `?` (which changes day matching). */
interface Field {
  allowed: Set<number>;
  star: boolean;
}

function parseNumber(expr: string, bounds: Bounds): number {
  const named = bounds.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: invalid syntax`);
  return Number(expr);
}

/** getRange: `*`, `?`, `N`, `N-M`, each optionally `/step`; `N/step` means `N-max/step`. */
function parseRange(expr: string, bounds: Bounds): Field {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = bounds.min;
    end = bounds.max;
    star = true;
    if (lowAndHigh.length > 1) throw new CronError(`too many hyphens: ${expr}`);
  } else {
    start = parseNumber(lowAndHigh[0], bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseNumber(lowAndHigh[1], bounds);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    if (!/^\d+$/.test(rangeAndStep[1])) throw new CronError(`failed to parse int from ${rangeAndStep[1]}: invalid syntax`);
    step = Number(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronError(`too many slashes: ${expr}`);
  if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  const allowed = new Set<number>();
  for (let v = start; v <= end; v += step) allowed.add(v);
  return { allowed, star };
}

function parseField(expr: string, bounds: Bounds): Field {
  const parts = expr.split(",").map((p) => parseRange(p, bounds));
  return { allowed: new Set(parts.flatMap((p) => [...p.allowed])), star: parts.some((p) => p.star) };
}

// ---- time zones ---------------------------------------------------------------------

/** Offset of local time from UTC, in ms, at an instant. */
type OffsetFn = (instant: number) => number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneOffset(timeZone: string | undefined): OffsetFn {
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC" || timeZone === "Z") return () => 0;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(timeZone);
  if (fixed) {
    const ms = (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    return () => (fixed[1] === "-" ? -ms : ms);
  }
  let dtf = formatters.get(timeZone);
  if (!dtf) {
    try {
      dtf = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new CronError(`unknown time zone ${timeZone}`);
    }
    formatters.set(timeZone, dtf);
  }
  const f = dtf;
  return (instant) => {
    const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - Math.floor(instant / 1000) * 1000;
  };
}

/** Throws CronError when the zone is not one this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  zoneOffset(timeZone)(0);
}

/** time.RFC3339 in the zone: `2026-01-01T05:35:00+05:30`, or `...Z` for UTC. */
export function formatInZone(instant: number, timeZone?: string): string {
  const offset = zoneOffset(timeZone)(instant);
  const local = new Date(Math.floor(instant / 1000) * 1000 + offset).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const abs = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${offset < 0 ? "-" : "+"}${hh}:${mm}`;
}

// ---- Next ---------------------------------------------------------------------------

class SpecSchedule implements Schedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly offset: OffsetFn,
  ) {}

  /** dayMatches: with either day field `*`, both must match; otherwise either may (cron's OR rule). */
  private dayMatches(t: Date): boolean {
    const domMatch = this.dom.allowed.has(t.getUTCDate());
    const dowMatch = this.dow.allowed.has(t.getUTCDay());
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  /** The next matching wall-clock time (ms, as if UTC) strictly after `wall`. */
  private nextWall(wall: number): number | undefined {
    // The earliest possible time is the upcoming whole minute (the seconds field is always 0).
    const t = new Date(Math.floor(wall / 60_000) * 60_000 + 60_000);
    const yearLimit = t.getUTCFullYear() + 5;
    let added = false;
    wrap: for (;;) {
      if (t.getUTCFullYear() > yearLimit) return undefined;
      while (!this.month.allowed.has(t.getUTCMonth() + 1)) {
        if (!added) {
          added = true;
          t.setUTCDate(1);
          t.setUTCHours(0, 0, 0, 0);
        }
        t.setUTCMonth(t.getUTCMonth() + 1);
        if (t.getUTCMonth() === 0) continue wrap;
      }
      while (!this.dayMatches(t)) {
        if (!added) {
          added = true;
          t.setUTCHours(0, 0, 0, 0);
        }
        t.setUTCDate(t.getUTCDate() + 1);
        if (t.getUTCDate() === 1) continue wrap;
      }
      while (!this.hour.allowed.has(t.getUTCHours())) {
        if (!added) {
          added = true;
          t.setUTCMinutes(0, 0, 0);
        }
        t.setUTCHours(t.getUTCHours() + 1);
        if (t.getUTCHours() === 0) continue wrap;
      }
      while (!this.minute.allowed.has(t.getUTCMinutes())) {
        added = true;
        t.setUTCMinutes(t.getUTCMinutes() + 1);
        if (t.getUTCMinutes() === 0) continue wrap;
      }
      return t.getTime();
    }
  }

  next(after: number): number | undefined {
    let wall = after + this.offset(after);
    for (let guard = 0; guard < 4; guard++) {
      const candidate = this.nextWall(wall);
      if (candidate === undefined) return undefined;
      const guess = candidate - this.offset(candidate - this.offset(after));
      const instant = candidate - this.offset(guess);
      if (instant > after) return instant;
      // A repeated fall-back hour maps back before `after`: look past it.
      wall = candidate;
    }
    return undefined;
  }
}

/** `@every <duration>`: a fixed delay, whole seconds, at least one second. */
class ConstantDelaySchedule implements Schedule {
  constructor(private readonly delayMs: number) {}
  next(after: number): number {
    return Math.floor(after / 1000) * 1000 + this.delayMs;
  }
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration for the forms `@every` takes: `1h30m`, `90s`, `1.5h`. */
export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * durationUnits[m[2]];
    consumed = re.lastIndex;
  }
  if (s === "0") return 0;
  if (consumed !== s.length || s.length === 0) throw new CronError(`time: invalid duration "${s}"`);
  return total;
}

/** cron.ParseStandard, with the CronJob's spec.timeZone applied when the schedule has no TZ= prefix. */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let rest = spec.trim();
  if (rest === "") throw new CronError("empty spec string");
  let zone = timeZone;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(rest);
  if (tz) {
    zone = tz[1];
    rest = rest.slice(tz[0].length).trim();
  }
  const offset = zoneOffset(zone);
  if (rest.startsWith("@every ")) {
    const ms = parseGoDuration(rest.slice("@every ".length).trim());
    return new ConstantDelaySchedule(Math.max(1000, Math.floor(ms / 1000) * 1000));
  }
  if (rest.startsWith("@")) {
    const expanded = descriptors[rest.toLowerCase()];
    if (!expanded) throw new CronError(`unrecognized descriptor: ${rest}`);
    rest = expanded;
  }
  const fields = rest.split(/\s+/);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  return new SpecSchedule(
    parseField(fields[0], MINUTE),
    parseField(fields[1], HOUR),
    parseField(fields[2], DOM),
    parseField(fields[3], MONTH),
    parseField(fields[4], DOW),
    offset,
  );
}

/** The first time `schedule` fires strictly after `after` (ms since the epoch). */
export function nextScheduleTime(schedule: string, after: number, timeZone?: string): number | undefined {
  return parseSchedule(schedule, timeZone).next(after);
}
