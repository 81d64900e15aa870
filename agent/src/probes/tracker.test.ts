import { describe, expect, it } from "vitest";
import { ProbeResultTracker, probeTiming } from "./tracker.js";

describe("probeTiming", () => {
  it("applies Kubernetes' defaults", () => {
    expect(probeTiming({})).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
    expect(probeTiming({ initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 })).toEqual({
      initialDelayMs: 5_000,
      periodMs: 2_000,
      timeoutMs: 3_000,
      successThreshold: 2,
      failureThreshold: 1,
    });
  });
});

describe("ProbeResultTracker", () => {
  it("starts not ready and becomes ready after successThreshold successes", () => {
    const readiness = new ProbeResultTracker("readiness", { successThreshold: 2, failureThreshold: 3 });
    expect(readiness.result).toBe("failure");
    expect(readiness.observe(true)).toBe(false);
    expect(readiness.observe(true)).toBe(true);
    expect(readiness.result).toBe("success");
  });

  it("fails only after failureThreshold consecutive failures", () => {
    const liveness = new ProbeResultTracker("liveness", { successThreshold: 1, failureThreshold: 3 });
    expect(liveness.result).toBe("success");
    liveness.observe(false);
    liveness.observe(false);
    liveness.observe(true); // a success breaks the run
    liveness.observe(false);
    expect(liveness.observe(false)).toBe(false);
    expect(liveness.observe(false)).toBe(true);
    expect(liveness.result).toBe("failure");
  });

  it("keeps startup unknown until it succeeds", () => {
    const startup = new ProbeResultTracker("startup", { successThreshold: 1, failureThreshold: 30 });
    expect(startup.result).toBe("unknown");
    expect(startup.observe(false)).toBe(false);
    expect(startup.observe(true)).toBe(true);
    expect(startup.result).toBe("success");
  });
});
