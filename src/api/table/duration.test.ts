import { describe, expect, it } from "vitest";
import { humanDuration, since } from "./duration.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("humanDuration (apimachinery duration.HumanDuration)", () => {
  it.each([
    [0, "0s"],
    [5 * s, "5s"],
    [59 * s, "59s"],
    [119 * s + 999, "119s"],
    [2 * m, "2m"],
    [2 * m + 3 * s, "2m3s"],
    [9 * m + 59 * s, "9m59s"],
    [10 * m, "10m"],
    [10 * m + 30 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [3 * h + 4 * m, "3h4m"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h, "8h"],
    [47 * h + 59 * m, "47h"],
    [2 * d, "2d"],
    [2 * d + h, "2d1h"],
    [5 * d, "5d"],
    [7 * d + 23 * h, "7d23h"],
    [8 * d, "8d"],
    [729 * d, "729d"],
    [730 * d, "2y"],
    [830 * d, "2y100d"],
    [365 * 8 * d - d, "7y364d"],
    [365 * 8 * d, "8y"],
    [365 * 20 * d + 100 * d, "20y"],
  ])("%d ms -> %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it("tolerates up to a second of clock skew, then reports <invalid>", () => {
    expect(humanDuration(-500)).toBe("0s");
    expect(humanDuration(-1999)).toBe("0s");
    expect(humanDuration(-2 * s)).toBe("<invalid>");
  });
});

describe("since", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");

  it("measures from now to an RFC 3339 time", () => {
    expect(since("2026-01-10T11:59:37Z", now)).toBe("23s");
    expect(since("2026-01-10T08:56:00Z", now)).toBe("3h4m");
    expect(since("2026-01-05T12:00:00.000000Z", now)).toBe("5d");
  });

  it("shows <unknown> for an unset or unparseable time", () => {
    expect(since(undefined, now)).toBe("<unknown>");
    expect(since(null, now)).toBe("<unknown>");
    expect(since("not a time", now)).toBe("<unknown>");
  });
});
