import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { AgentMetrics, dockerOperation } from "./agent-metrics.js";
import { startMetricsServer, type MetricsServer } from "./server.js";

const servers: MetricsServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

describe("agent metrics", () => {
  it("templates Docker paths so ids do not make new series", () => {
    expect(dockerOperation("POST", "/containers/4f2a9c/start?")).toBe("POST /containers/{id}/start");
    expect(dockerOperation("GET", "/v1.41/containers/json?all=1")).toBe("GET /containers/json");
    expect(dockerOperation("GET", "/_ping")).toBe("GET /_ping");
  });

  it("reports pods by phase, restarts, Docker latency and reconnects", () => {
    const m = new AgentMetrics(() => [{ phase: "Running", restarts: 2 }, { phase: "Running", restarts: 0 }, { phase: "Failed", restarts: 5 }]);
    m.observeDocker("POST", "/containers/abc/start", 0.02, true);
    m.observeDocker("POST", "/containers/def/start", 3, false);
    m.longPollReconnected();
    const text = m.render();
    expect(text).toContain('kubeflare_agent_pods{phase="Running"} 2');
    expect(text).toContain('kubeflare_agent_pods{phase="Failed"} 1');
    expect(text).toContain('kubeflare_agent_pods{phase="Pending"} 0');
    expect(text).toContain("kubeflare_agent_container_restarts 7");
    expect(text).toContain('kubeflare_agent_docker_request_duration_seconds_count{operation="POST /containers/{id}/start"} 2');
    expect(text).toContain('kubeflare_agent_docker_request_errors_total{operation="POST /containers/{id}/start"} 1');
    expect(text).toContain("kubeflare_agent_longpoll_reconnects_total 1");
    const promtool = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    if (promtool.error && process.env.CI !== "true") return;
    expect(promtool.stdout + promtool.stderr).toBe("");
    expect(promtool.status).toBe(0);
  });

  it("serves /metrics only with the token", async () => {
    const server = await startMetricsServer({ address: "127.0.0.1", port: 0, token: "s3cret", render: () => "up 1\n" });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("version=0.0.4");
    expect(await ok.text()).toBe("up 1\n");
  });
});
