import { describe, expect, it } from "vitest";
import { ConnectionMonitor } from "./connection.js";

describe("ConnectionMonitor", () => {
  it("logs one line per state change, not per retry, and announces reconnects", () => {
    const lines: string[] = [];
    let now = 0;
    let reconnects = 0;
    const monitor = new ConnectionMonitor("https://cp", "node-a", (line) => lines.push(line), () => now);
    monitor.onReconnect(() => reconnects++);

    monitor.succeeded();
    monitor.succeeded();
    now = 5_000;
    monitor.failed(new Error("ECONNREFUSED"));
    monitor.failed(new Error("ECONNREFUSED"));
    monitor.failed(new Error("timeout"));
    now = 47_000;
    monitor.succeeded();

    expect(lines).toEqual([
      "connected to control plane https://cp as node node-a",
      "control plane https://cp unreachable (ECONNREFUSED); pods keep running from the last desired state",
      "reconnected to control plane https://cp after 42s; reporting current pod status",
    ]);
    expect(reconnects).toBe(1);
  });

  it("says it runs from the cache when the control plane is down at start", () => {
    const lines: string[] = [];
    const monitor = new ConnectionMonitor("https://cp", "n", (line) => lines.push(line));
    monitor.failed("refused");
    expect(lines[0]).toContain("running pods from the cached desired state");
  });

  it("ignores a failure of an attempt that began before the control plane came back", () => {
    const lines: string[] = [];
    let now = 0;
    const monitor = new ConnectionMonitor("https://cp", "n", (line) => lines.push(line), () => now);
    monitor.succeeded();
    now = 1_000;
    monitor.failed(new Error("ECONNREFUSED"), 1_000);
    now = 9_000;
    monitor.succeeded();
    // In flight across the outage (started at 5 s), it fails after the reconnect at 9 s: old news.
    monitor.failed(new Error("socket hang up"), 5_000);
    expect(monitor.state).toBe("connected");
    // An attempt that began after the reconnect is a new outage.
    now = 12_000;
    monitor.failed(new Error("ECONNREFUSED"), 11_000);
    expect(lines.filter((l) => l.includes("unreachable"))).toHaveLength(2);
    expect(monitor.state).toBe("unreachable");
  });
});
