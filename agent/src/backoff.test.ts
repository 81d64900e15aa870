import { describe, expect, it } from "vitest";
import {
  KUBELET_CRASH_BACKOFF,
  RECONNECT_BACKOFF,
  crashBackoffDelayMs,
  nextBackoffStep,
  pullBackoffDelayMs,
  retryDelayMs,
} from "./backoff.js";

describe("retryDelayMs", () => {
  it("doubles from the base and stops at the cap", () => {
    const noJitter = (attempt: number) => retryDelayMs(attempt, RECONNECT_BACKOFF, 0);
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(noJitter)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("jitters downward only, so the cap holds", () => {
    expect(retryDelayMs(10, RECONNECT_BACKOFF, 0.2, () => 1)).toBe(24000);
    expect(retryDelayMs(10, RECONNECT_BACKOFF, 0.2, () => 0)).toBe(30000);
    expect(retryDelayMs(0, RECONNECT_BACKOFF, 0.2, () => 0.5)).toBe(900);
  });
});

describe("crash backoff", () => {
  it("starts at once, restarts once at once, then 10s doubling to 5 min", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((step) => crashBackoffDelayMs(step, KUBELET_CRASH_BACKOFF) / 1000);
    expect(delays).toEqual([0, 0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it("grows the step after a short run", () => {
    expect(nextBackoffStep({ backoffStep: 3, startedAt: 0, finishedAt: 5_000 }, KUBELET_CRASH_BACKOFF)).toBe(4);
  });

  it("resets after ten minutes of running", () => {
    expect(nextBackoffStep({ backoffStep: 7, startedAt: 0, finishedAt: 600_000 }, KUBELET_CRASH_BACKOFF)).toBe(1);
  });

  it("treats an instance that never started as a short run", () => {
    expect(nextBackoffStep({ backoffStep: 2 }, KUBELET_CRASH_BACKOFF)).toBe(3);
  });
});

describe("pullBackoffDelayMs", () => {
  it("waits the base after the first failure and doubles to the cap", () => {
    expect([1, 2, 3, 6, 7, 50].map((n) => pullBackoffDelayMs(n, KUBELET_CRASH_BACKOFF) / 1000)).toEqual([
      10, 20, 40, 300, 300, 300,
    ]);
  });
});
