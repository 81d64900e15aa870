/**
 * /metrics on the control plane: Prometheus text that promtool accepts,
 * behind a token, counting what kubectl did and what the cluster looks like.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { parseSamples, promtoolCheck, sampleValue } from "../support/prometheus.js";
import { startSimKubelet, type SimKubelet } from "../support/sim-kubelet.js";

let cp: ControlPlane;
let kubelet: SimKubelet;

beforeAll(async () => {
  cp = await startControlPlane();
  kubelet = await startSimKubelet(cp, "metrics-node");
});

afterAll(async () => {
  kubelet?.stop();
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

const scrape = async () => {
  const res = await api(cp, "GET", "/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return res.text;
};

describe("control plane /metrics", () => {
  it("needs a token", async () => {
    const res = await api(cp, "GET", "/metrics", undefined, { authorization: "" });
    expect(res.status).toBe(401);
  });

  it("is valid Prometheus text and counts requests by verb, resource and code, with latencies", async () => {
    const k = kubectlFor(cp);
    await k.ok(["get", "pods"]);
    await k.ok(["get", "pods"]);
    await k.run(["get", "pod", "no-such-pod"]);
    const text = await scrape();
    const check = promtoolCheck(text);
    expect(check.output).toBe("");
    expect(check.ok).toBe(true);
    const samples = parseSamples(text);
    expect(sampleValue(samples, "apiserver_request_total", { verb: "LIST", resource: "pods", code: "200" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, "apiserver_request_total", { verb: "GET", resource: "pods", code: "404" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, "apiserver_request_duration_seconds_count", { verb: "LIST", resource: "pods" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, "apiserver_request_duration_seconds_bucket", { verb: "LIST", resource: "pods", le: "+Inf" })).toBeGreaterThanOrEqual(2);
  });

  it("reports nodes by condition, pending pods, scheduling attempts and open watches", async () => {
    const k = kubectlFor(cp);
    // Nothing can place this pod: it stays pending.
    await k.ok(["run", "stuck", "--image=busybox", "--overrides", JSON.stringify({ spec: { nodeSelector: { nowhere: "true" } } })]);
    await k.ok(["run", "placed", "--image=busybox"]);
    const watch = k.spawn(["get", "pods", "-w"]);
    try {
      const samples = await eventually(async () => {
        const s = parseSamples(await scrape());
        return sampleValue(s, "kubeflare_apiserver_watch_connections")! >= 1 &&
          sampleValue(s, "scheduler_scheduling_attempt_duration_seconds_count", { result: "scheduled" })! >= 1 &&
          s;
      }, 30_000);
      expect(sampleValue(samples, "kubeflare_nodes", { condition: "Ready" })).toBe(1);
      expect(sampleValue(samples, "kubeflare_nodes", { condition: "NotReady" })).toBe(0);
      expect(sampleValue(samples, "scheduler_pending_pods")).toBe(1);
      expect(sampleValue(samples, "scheduler_scheduling_attempt_duration_seconds_count", { result: "unschedulable" })).toBeGreaterThanOrEqual(1);
    } finally {
      watch.kill();
    }
  });
});
