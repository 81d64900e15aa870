/**
 * The agent's own /metrics, from a real agent running a real pod: behind its
 * token, valid for promtool, counting pods by phase and Docker API latency.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { removeNodeContainers, startAgentProcess, type AgentProcess } from "../support/agents.js";
import { ensureTestImage, requireDocker, TEST_IMAGE } from "../support/images.js";
import { parseSamples, promtoolCheck, sampleValue } from "../support/prometheus.js";

const NODE = "e2e-agent-metrics";
const TOKEN = "metrics-test-token";
let cp: ControlPlane;
let agent: AgentProcess;
let port: number;

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

beforeAll(async () => {
  await requireDocker();
  await ensureTestImage();
  removeNodeContainers([NODE]);
  cp = await startControlPlane();
  port = await freePort();
  agent = await startAgentProcess(cp, NODE, { KUBEFLARE_METRICS_ADDRESS: `127.0.0.1:${port}`, KUBEFLARE_METRICS_TOKEN: TOKEN, KUBEFLARE_NO_PROXY: "1" });
});

afterAll(async () => {
  await agent?.kill();
  removeNodeContainers([NODE]);
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

const scrape = (token?: string) => fetch(`http://127.0.0.1:${port}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe("agent /metrics", () => {
  it("needs its token", async () => {
    const res = await eventually(() => scrape().catch(() => undefined), 60_000);
    expect(res.status).toBe(401);
    expect((await scrape("wrong")).status).toBe(401);
  });

  it("counts the node's pods by phase and Docker API latency, in text promtool accepts", async () => {
    const k = kubectlFor(cp);
    await k.ok(["run", "metered", `--image=${TEST_IMAGE}`, "--image-pull-policy=Never", "--", "sleep", "3600"]);
    await k.ok(["wait", "--for=condition=Ready", "pod/metered", "--timeout=90s"]);
    const text = await eventually(async () => {
      const t = await (await scrape(TOKEN)).text();
      return sampleValue(parseSamples(t), "kubeflare_agent_pods", { phase: "Running" }) === 1 && t;
    }, 30_000);
    const check = promtoolCheck(text);
    expect(check.output).toBe("");
    const samples = parseSamples(text);
    expect(sampleValue(samples, "kubeflare_agent_pods", { phase: "Pending" })).toBe(0);
    expect(sampleValue(samples, "kubeflare_agent_container_restarts")).toBe(0);
    expect(sampleValue(samples, "kubeflare_agent_docker_request_duration_seconds_count", { operation: "POST /containers/{id}/start" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, "kubeflare_agent_docker_request_duration_seconds_count", { operation: "POST /containers/create" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, "kubeflare_agent_longpoll_reconnects_total")).toBe(0);
  });
});
