/**
 * Probe bookkeeping as the kubelet's prober worker does it (pure): timing
 * defaults, and thresholds turning individual results into a probe result.
 */
import type { Probe } from "../../../src/schema/core.js";

export type ProbeKind = "liveness" | "readiness" | "startup";
export type ProbeResult = "success" | "failure" | "unknown";

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(probe: Probe): ProbeTiming {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, probe.timeoutSeconds ?? 1) * 1000,
    successThreshold: Math.max(1, probe.successThreshold ?? 1),
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

/** Results before the first probe: not ready, alive, not yet started. */
export function initialResult(kind: ProbeKind): ProbeResult {
  return kind === "readiness" ? "failure" : kind === "liveness" ? "success" : "unknown";
}

/** Turns a stream of individual outcomes into the probe's result, honouring the thresholds. */
export class ProbeResultTracker {
  result: ProbeResult;
  private last?: boolean;
  private run = 0;

  constructor(
    kind: ProbeKind,
    private readonly timing: Pick<ProbeTiming, "successThreshold" | "failureThreshold">,
  ) {
    this.result = initialResult(kind);
  }

  /** Records one outcome; returns true when the probe's result changed. */
  observe(success: boolean): boolean {
    this.run = this.last === success ? this.run + 1 : 1;
    this.last = success;
    const threshold = success ? this.timing.successThreshold : this.timing.failureThreshold;
    if (this.run < threshold) return false;
    const next: ProbeResult = success ? "success" : "failure";
    if (next === this.result) return false;
    this.result = next;
    return true;
  }
}
