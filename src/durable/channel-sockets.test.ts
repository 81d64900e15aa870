import { describe, expect, it } from "vitest";
import { channelNode, isStale, lastSignOfLife, PING_INTERVAL_MS, STALE_AFTER_MS, sweepDelayMs } from "./channel-sockets.js";

describe("channel sockets", () => {
  it("reads the node from the channel path, and nothing from other paths", () => {
    expect(channelNode("/kubeflare/v1/nodes/node-1/channel")).toBe("node-1");
    expect(channelNode("/kubeflare/v1/nodes/a%2Eb/channel")).toBe("a.b");
    expect(channelNode("/kubeflare/v1/nodes/node-1/desired")).toBeUndefined();
    expect(channelNode("/kubeflare/v1/nodes/%E0%A4%A/channel")).toBeUndefined();
  });

  it("takes the later of the socket's opening and its last auto-answered ping as its last sign of life", () => {
    expect(lastSignOfLife({ node: "n", openedAt: 1_000 }, null)).toBe(1_000);
    expect(lastSignOfLife({ node: "n", openedAt: 1_000 }, new Date(31_000))).toBe(31_000);
    expect(lastSignOfLife({ node: "n", openedAt: 50_000 }, new Date(31_000))).toBe(50_000);
  });

  it("counts a socket half-open only after two pings went missing", () => {
    expect(STALE_AFTER_MS).toBeGreaterThan(2 * PING_INTERVAL_MS);
    expect(isStale(0, STALE_AFTER_MS)).toBe(false);
    expect(isStale(0, STALE_AFTER_MS + 1)).toBe(true);
  });

  it("sweeps at most once a minute, or once per grace period when that is longer", () => {
    expect(sweepDelayMs(5_000)).toBe(60_000);
    expect(sweepDelayMs(40_000)).toBe(60_000);
    expect(sweepDelayMs(120_000)).toBe(120_000);
  });
});
