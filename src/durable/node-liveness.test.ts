import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChannelLiveness, PollTracker, type LivenessReport } from "./node-liveness.js";

describe("poll tracker", () => {
  it("counts a node alive while a poll is parked, however long, and for the grace period after", () => {
    const t = new PollTracker(40_000, 0);
    t.pollStarted("a", 1_000);
    expect(t.alive("a", 1_000 + 55_000)).toBe(true);
    t.pollEnded("a", 56_000);
    expect(t.alive("a", 96_000)).toBe(true);
    expect(t.alive("a", 96_001)).toBe(false);
  });

  it("gives a node it never heard from the grace period from its own start", () => {
    const t = new PollTracker(40_000, 10_000);
    expect(t.alive("b", 50_000)).toBe(true);
    expect(t.alive("b", 50_001)).toBe(false);
  });

  it("keeps a node parked while any of its overlapping polls is", () => {
    const t = new PollTracker(1_000, 0);
    t.pollStarted("a", 0);
    t.pollStarted("a", 10);
    t.pollEnded("a", 20);
    expect(t.isParked("a")).toBe(true);
    t.pollEnded("a", 30);
    expect(t.isParked("a")).toBe(false);
  });
});

describe("channel liveness", () => {
  let now: number;
  let sent: LivenessReport[][];
  let saved: LivenessReport[];
  let failNext: boolean;

  beforeEach(() => {
    vi.useFakeTimers();
    now = 1_000_000;
    sent = [];
    saved = [];
    failNext = false;
  });
  afterEach(() => vi.useRealTimers());

  const make = (known: [string, boolean][] = [], serves = (_: string) => true, connected?: (node: string, now: number) => boolean) =>
    new ChannelLiveness({
      connected,
      graceMs: 40_000,
      now: () => now,
      load: () => known,
      save: (r) => saved.push(r),
      send: async (reports) => {
        if (failNext) {
          failNext = false;
          throw new Error("cluster store unreachable");
        }
        sent.push(reports);
      },
      serves,
    });
  const advance = async (ms: number) => {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  it("reports a new node live once, batching nodes that arrive together, and nothing while polls follow each other", async () => {
    const l = make();
    expect(l.arrived("a")).toBe(false);
    expect(l.arrived("b")).toBe(false);
    await advance(100);
    expect(sent).toEqual([[{ node: "a", live: true, at: now - 100 }, { node: "b", live: true, at: now - 100 }]]);
    expect(saved.map((r) => r.node)).toEqual(["a", "b"]);
    for (let i = 0; i < 10; i++) {
      await advance(50_000);
      l.left("a");
      l.left("b");
      l.arrived("a");
      l.arrived("b");
    }
    await advance(100);
    expect(sent).toHaveLength(1);
  });

  it("reports silence once the grace period has passed after the last answer, and asks the returning agent to resync once", async () => {
    const l = make();
    l.arrived("a");
    await advance(50_000); // the poll is parked all along: still alive
    expect(sent.flat().filter((r) => !r.live)).toEqual([]);
    l.left("a"); // answered; the agent never asks again (its answer was lost)
    await advance(39_000);
    expect(sent.flat().filter((r) => !r.live)).toEqual([]);
    await advance(2_000);
    expect(sent.at(-1)).toEqual([{ node: "a", live: false, at: expect.any(Number) }]);
    expect(l.arrived("a")).toBe(true);
    expect(l.arrived("a")).toBe(false);
    await advance(100);
    expect(sent.at(-1)).toEqual([{ node: "a", live: true, at: expect.any(Number) }]);
  });

  it("judges nodes the cluster store believes live that it has not heard from since it started", async () => {
    const l = make([["gone", true], ["down", false]]);
    expect(l.sweep()).toBe(true);
    await advance(100);
    expect(sent).toEqual([]);
    await advance(40_000);
    expect(l.sweep()).toBe(false);
    await l.flush();
    expect(sent).toEqual([[{ node: "gone", live: false, at: expect.any(Number) }]]);
  });

  it("sends a failed batch again, and never judges nodes another shard serves", async () => {
    const l = make([["moved", true]], (node) => node !== "moved");
    failNext = true;
    l.arrived("a");
    await advance(100);
    expect(sent).toEqual([]);
    await advance(5_000);
    expect(sent).toEqual([[{ node: "a", live: true, at: expect.any(Number) }]]);
    await advance(60_000);
    l.sweep();
    await l.flush();
    expect(sent.flat().some((r) => r.node === "moved")).toBe(false);
  });
  it("keeps a node with a connected socket live however long, and silent once the grace period has passed after it closed", async () => {
    const sockets = new Set<string>();
    const l = make([], () => true, (node) => sockets.has(node));
    sockets.add("ws");
    expect(l.socketOpened("ws")).toBe(false);
    await advance(100);
    expect(sent).toEqual([[{ node: "ws", live: true, at: expect.any(Number) }]]);
    // No polls, no messages: the open socket is the heartbeat, even for the backstop sweep.
    await advance(10 * 60_000);
    expect(l.sweep()).toBe(true);
    await l.flush();
    expect(sent).toHaveLength(1);

    sockets.delete("ws");
    l.socketClosed("ws");
    await advance(39_000);
    expect(sent).toHaveLength(1);
    await advance(2_000);
    expect(sent.at(-1)).toEqual([{ node: "ws", live: false, at: expect.any(Number) }]);
    sockets.add("ws");
    expect(l.socketOpened("ws")).toBe(true);
    await advance(100);
    expect(sent.at(-1)).toEqual([{ node: "ws", live: true, at: expect.any(Number) }]);
  });

  it("judges a half-open socket from its last ping: silent at once when that is past the grace period", async () => {
    const l = make([], () => true, () => false);
    l.socketOpened("half");
    await advance(100);
    const lastPing = now;
    await advance(70_000);
    l.socketClosed("half", lastPing);
    await advance(100);
    expect(sent.at(-1)).toEqual([{ node: "half", live: false, at: expect.any(Number) }]);
  });

  it("does not count a socket that reconnected within the grace period as silent", async () => {
    const sockets = new Set(["r"]);
    const l = make([], () => true, (node) => sockets.has(node));
    l.socketOpened("r");
    await advance(100);
    // The old socket's close arrives after the new one opened (a replaced connection).
    l.socketOpened("r");
    l.socketClosed("r");
    await advance(60_000);
    expect(sent.flat().filter((r) => !r.live)).toEqual([]);
  });
});

describe("channel liveness while a batch is on its way", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks a returning agent to resync once, even when it polls again before the cluster store has answered", async () => {
    let now = 0;
    const sent: LivenessReport[][] = [];
    let answer!: () => void;
    const l = new ChannelLiveness({
      graceMs: 1_000,
      now: () => now,
      load: () => [["a", false]],
      save: () => {},
      send: (reports) => {
        sent.push(reports);
        return new Promise<void>((resolve) => (answer = resolve));
      },
      serves: () => true,
    });
    expect(l.arrived("a")).toBe(true);
    l.left("a");
    now += 100;
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([[{ node: "a", live: true, at: 0 }]]);
    expect(l.arrived("a")).toBe(false);
    answer();
    await vi.advanceTimersByTimeAsync(1);
    expect(l.arrived("a")).toBe(false);
    expect(sent).toHaveLength(1);
  });

});
