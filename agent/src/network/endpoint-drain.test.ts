import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../../../src/schema/core.js";
import { drainDelayMs, selectedByService } from "./endpoint-drain.js";

const pod = (deleting: boolean, labels: Record<string, string> = { app: "web", tier: "front" }): Pod => ({
  metadata: { name: "web-1", namespace: "shop", labels, ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:30Z" } : {}) },
  spec: { containers: [{ name: "c", image: "busybox" }] },
});
const service = (namespace: string, selector?: Record<string, string>): Service => ({ metadata: { name: "web", namespace }, spec: { selector } });

describe("selectedByService", () => {
  it("matches a Service in the pod's namespace whose selector the labels satisfy", () => {
    expect(selectedByService(pod(true), [service("shop", { app: "web" })])).toBe(true);
    expect(selectedByService(pod(true), [service("other", { app: "web" })])).toBe(false);
    expect(selectedByService(pod(true), [service("shop", { app: "web", tier: "back" })])).toBe(false);
  });

  it("ignores Services without a selector (their endpoints are managed by hand)", () => {
    expect(selectedByService(pod(true), [service("shop"), service("shop", {})])).toBe(false);
  });
});

describe("drainDelayMs", () => {
  const services = [service("shop", { app: "web" })];
  it("waits the drain for a deleted pod behind a Service, capped by its grace period", () => {
    expect(drainDelayMs(pod(true), 30, services, 2)).toBe(2000);
    expect(drainDelayMs(pod(true), 1, services, 2)).toBe(1000);
  });

  it("does not wait for running pods, pods no Service selects, or a drain of 0", () => {
    expect(drainDelayMs(pod(false), 30, services, 2)).toBe(0);
    expect(drainDelayMs(pod(true, { app: "db" }), 30, services, 2)).toBe(0);
    expect(drainDelayMs(pod(true), 30, services, 0)).toBe(0);
    expect(drainDelayMs(undefined, 30, services, 2)).toBe(0);
  });
});
