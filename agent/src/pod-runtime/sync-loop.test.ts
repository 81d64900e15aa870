import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncLoop } from "./sync-loop.js";

describe("SyncLoop", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function loop(sync: () => Promise<void>, log: string[] = []) {
    return new SyncLoop(sync, { coalesceMs: 50, resyncIntervalMs: 10_000, log: (line) => log.push(line) });
  }

  it("coalesces a burst of requests into one sync", async () => {
    let syncs = 0;
    const l = loop(async () => void syncs++);
    l.start();
    for (let i = 0; i < 20; i++) l.request();
    await vi.advanceTimersByTimeAsync(60);
    expect(syncs).toBe(1);
    await l.stop();
  });

  it("lets a request for now overtake one waiting out the coalescing window, also when made during a sync", async () => {
    let syncs = 0;
    let release: (() => void) | undefined;
    const l = loop(async () => {
      syncs++;
      if (syncs === 2) await new Promise<void>((resolve) => (release = resolve));
    });
    l.start();
    await vi.advanceTimersByTimeAsync(60);
    l.request();
    l.request(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs).toBe(2);
    l.request(0);
    release!();
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs).toBe(3);
    await l.stop();
  });

  it("never runs two syncs at once, and runs one more after a request made during a sync", async () => {
    let running = 0;
    let overlap = false;
    let syncs = 0;
    let release!: () => void;
    const l = loop(async () => {
      running++;
      if (running > 1) overlap = true;
      syncs++;
      if (syncs === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
    });
    l.start();
    await vi.advanceTimersByTimeAsync(60);
    l.request();
    l.request();
    await vi.advanceTimersByTimeAsync(60);
    expect(syncs).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(60);
    expect(syncs).toBe(2);
    expect(overlap).toBe(false);
    await l.stop();
  });

  it("syncs at a requested time and on the resync interval", async () => {
    let syncs = 0;
    const l = loop(async () => void syncs++);
    l.start();
    await vi.advanceTimersByTimeAsync(60);
    l.requestAt(Date.now() + 3_000);
    l.requestAt(Date.now() + 1_000); // the earlier one wins (each sync asks again for what it still needs)
    await vi.advanceTimersByTimeAsync(1_100);
    expect(syncs).toBe(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(syncs).toBe(2);
    await vi.advanceTimersByTimeAsync(7_000); // the resync interval, 10 s after start
    expect(syncs).toBe(3);
    await l.stop();
  });

  it("logs a failing sync once until it recovers", async () => {
    const log: string[] = [];
    let fail = true;
    const l = loop(async () => {
      if (fail) throw new Error("docker is down");
    }, log);
    l.start();
    for (let i = 0; i < 3; i++) {
      l.request();
      await vi.advanceTimersByTimeAsync(60);
    }
    fail = false;
    l.request();
    await vi.advanceTimersByTimeAsync(60);
    expect(log).toEqual(["sync failed: docker is down", "sync recovered"]);
    await l.stop();
  });
});
