import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Pod, PodStatus } from "../../../src/schema/core.js";
import { TransportError, type ControlPlaneClient } from "./client.js";
import { ConnectionMonitor } from "./connection.js";
import { PodStatusReporter } from "./status-reporter.js";

const pod = (name: string): Pod => ({ metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { containers: [] } });
const status = (phase: PodStatus["phase"]): PodStatus => ({ phase });

/** A control plane stand-in that records batches and answers with `answer`. */
function fakeClient(answer: (items: any[]) => { status: number; body?: any } | Error) {
  const batches: any[][] = [];
  const client = {
    request: async (_method: string, _path: string, body: any) => {
      batches.push(body.items);
      const result = answer(body.items);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as ControlPlaneClient;
  return { client, batches };
}

describe("PodStatusReporter", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const ok = (items: any[]) => ({ status: 200, body: { results: items.map((i) => ({ namespace: i.namespace, name: i.name, code: 200 })) } });

  function reporter(client: ControlPlaneClient) {
    const monitor = new ConnectionMonitor("https://cp", "n", () => {});
    return new PodStatusReporter({ client, nodeName: "n", monitor, batchMs: 100, retry: { baseMs: 1_000, maxMs: 1_000 }, log: () => {} });
  }

  it("batches changes over a window and sends only the latest status per pod", async () => {
    const { client, batches } = fakeClient(ok);
    const r = reporter(client);
    r.update(pod("a"), status("Pending"));
    r.update(pod("b"), status("Pending"));
    r.update(pod("a"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((i: any) => [i.name, i.uid, i.status.phase])).toEqual([
      ["a", "uid-a", "Running"],
      ["b", "uid-b", "Pending"],
    ]);
  });

  it("sends a pod's first Running and a readiness change at once, and what changed meanwhile with it", async () => {
    const { client, batches } = fakeClient(ok);
    const r = reporter(client);
    r.update(pod("a"), status("Pending"));
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toHaveLength(0);
    r.update(pod("b"), status("Running"));
    await vi.advanceTimersByTimeAsync(1);
    expect(batches.map((b) => b.map((i: any) => `${i.name}=${i.status.phase}`))).toEqual([["a=Pending", "b=Running"]]);
    r.update(pod("b"), { phase: "Running", startTime: "2026-01-01T00:00:00Z" });
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(1);
    r.update(pod("b"), { phase: "Running", conditions: [{ type: "Ready", status: "True" }] });
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(2);
  });

  it("sends nothing when the status did not change", async () => {
    const { client, batches } = fakeClient(ok);
    const r = reporter(client);
    r.update(pod("a"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    r.update(pod("a"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    expect(batches).toHaveLength(1);
    r.resendAll();
    r.update(pod("a"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    expect(batches).toHaveLength(2);
  });

  it("keeps unsent changes through an outage and sends them when it ends", async () => {
    let down = true;
    const { client, batches } = fakeClient((items) => (down ? new TransportError("ECONNREFUSED") : ok(items)));
    const r = reporter(client);
    r.update(pod("a"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    r.update(pod("a"), status("Failed"));
    down = false;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(batches.map((b) => b.map((i: any) => i.status.phase))).toEqual([["Running"], ["Failed"]]);
  });

  it("drops items the control plane answers 404 or 409 for", async () => {
    const { client, batches } = fakeClient((items) => ({
      status: 200,
      body: { results: items.map((i) => ({ namespace: i.namespace, name: i.name, code: i.name === "gone" ? 404 : 500 })) },
    }));
    const r = reporter(client);
    r.update(pod("gone"), status("Running"));
    r.update(pod("flaky"), status("Running"));
    await vi.advanceTimersByTimeAsync(150);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(batches.map((b) => b.map((i: any) => i.name))).toEqual([["gone", "flaky"], ["flaky"]]);
  });
});
