/**
 * Fault: dockerd restarted under a running agent. The machine's dockerd is
 * shared with other tests, so this test runs its own private daemon
 * (test/support/private-docker.ts) and points one agent at it. Stopping that
 * daemon kills every container on it (no live-restore); the agent must
 * notice, wait for Docker to come back, and bring the same pods back Running
 * with new container instances, nothing duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/controlplane.js";
import { runningContainers, type AgentProcess } from "../support/agents.js";
import { startCluster, type Cluster, type Kubectl } from "../support/cluster.js";
import { listPods, podReady, webDeployment } from "../support/fault-fixtures.js";
import { requireDocker } from "../support/images.js";
import { startPrivateDocker, type PrivateDocker } from "../support/private-docker.js";
import { uniqueName } from "./agent-helpers.js";

const node = uniqueName("fault-dockerd");
const namespace = uniqueName("fault-dockerd");
let cluster: Cluster | undefined;
let k: Kubectl;
let daemon: PrivateDocker | undefined;
let agent: AgentProcess;

const manifest = webDeployment(namespace, { replicas: 2 });

/** Running containers of this node in one role, on the private daemon. */
const running = (role: "app" | "infra") =>
  runningContainers({ "io.kubeflare.node": node, "io.kubeflare.role": role }, daemon!.host).map((c) => ({
    id: c.id,
    podUid: c.labels["io.kubeflare.pod.uid"],
  }));

const pods = () => listPods(k, namespace);

beforeAll(async () => {
  await requireDocker();
  daemon = await startPrivateDocker();
  cluster = await startCluster({ nodes: [{ name: node, env: { DOCKER_HOST: daemon.host } }], namespace });
  k = cluster.k;
  agent = cluster.agents[0];
});

afterAll(async () => {
  await cluster?.stop();
  await daemon?.destroy();
});

describe("dockerd restarted under the agent", () => {
  it("brings the same pods back Running with new containers, one per pod, after Docker returns", async () => {
    await k.ok(["apply", "-f", "-"], manifest);
    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=120s"]);
    const before = await pods();
    expect(before).toHaveLength(2);
    const appsBefore = running("app");
    expect(appsBefore.map((c) => c.podUid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());

    await daemon!.stop();
    await daemon!.start();

    // The containers died with the daemon; the agent starts new instances in new sandboxes.
    const after = await eventually(
      async () => {
        const apps = running("app");
        const fresh = apps.filter((c) => !appsBefore.some((old) => old.id === c.id));
        return fresh.length === 2 && apps.length === 2 && apps;
      },
      120_000,
      500,
    );
    expect(new Set(after.map((c) => c.podUid))).toEqual(new Set(before.map((p) => p.metadata.uid)));
    const sandboxes = running("infra");
    expect(sandboxes.map((c) => c.podUid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());

    // The same Pod objects (no replacement), Running and Ready again, as kubectl shows them.
    const back = await eventually(async () => {
      const list = await pods();
      return list.length === 2 && list.every(podReady) && list;
    }, 90_000);
    expect(back.map((p) => p.metadata.uid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());
    for (const pod of back) expect(pod.status.containerStatuses[0].state.running).toBeDefined();
    expect(await k.ok(["get", "pods", "-n", namespace])).toMatch(/1\/1\s+Running/);
    expect(agent.output()).not.toMatch(/unhandled|TypeError/i);
  });
});
