/**
 * Fault: the agent is SIGKILLed in the middle of a rolling update (new pods
 * being created and started, old ones being stopped) and started again.
 * The rollout must complete, with one container per pod in Docker (nothing
 * started twice by the restarted agent, nothing left from old pods), and no
 * pod of the new revision lost to the crash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/controlplane.js";
import { dockerContainers, runningContainers, type AgentProcess } from "../support/agents.js";
import { startCluster, type Cluster, type Kubectl } from "../support/cluster.js";
import { listPods, webDeployment } from "../support/fault-fixtures.js";
import { uniqueName } from "./agent-helpers.js";

const node = uniqueName("fault-kill");
const namespace = uniqueName("fault-kill");
const REPLICAS = 4;
let cluster: Cluster | undefined;
let k: Kubectl;
let agent: AgentProcess;

// The readiness delay makes each step of the rollout take a few seconds, so the kill lands mid-rollout.
const manifest = (version: string) =>
  webDeployment(namespace, {
    replicas: REPLICAS,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    content: "$VERSION",
    env: [{ name: "VERSION", value: version }],
    initialDelaySeconds: 2,
  });

const pods = () => listPods(k, namespace, "app=web");
const running = (role: "app" | "infra") =>
  runningContainers({ "io.kubeflare.node": node, "io.kubeflare.pod.namespace": namespace, "io.kubeflare.role": role });

beforeAll(async () => {
  cluster = await startCluster({ nodes: [node], namespace });
  k = cluster.k;
  agent = cluster.agents[0];
});

afterAll(() => cluster?.stop());

describe("agent SIGKILLed during a rolling update", () => {
  it("completes the rollout after the agent restarts, with no duplicate containers and no pod lost", async () => {
    await k.ok(["apply", "-f", "-"], manifest("one"));
    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=120s"]);
    const oldHash = (await pods())[0].metadata.labels["pod-template-hash"];

    await k.ok(["apply", "-f", "-"], manifest("two"));
    // Mid-rollout: a pod of the new revision exists and old ones are still there.
    const newHash = await eventually(async () => {
      const list = await pods();
      const fresh = list.filter((p) => p.metadata.labels["pod-template-hash"] !== oldHash);
      const old = list.filter((p) => p.metadata.labels["pod-template-hash"] === oldHash && !p.metadata.deletionTimestamp);
      return fresh.length >= 1 && old.length >= REPLICAS - 1 && fresh[0].metadata.labels["pod-template-hash"];
    }, 60_000, 100);
    await agent.kill("SIGKILL");
    const atKill = (await pods()).filter((p) => p.metadata.labels["pod-template-hash"] === newHash);
    expect(atKill.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2000));
    await agent.restart();

    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=150s"]);
    const final = await eventually(async () => {
      const list = await pods();
      return list.length === REPLICAS && list;
    }, 60_000);
    expect(final.every((p) => p.metadata.labels["pod-template-hash"] === newHash)).toBe(true);
    // Every new-revision pod that existed when the agent died is still there: the crash lost none.
    const finalUids = new Set(final.map((p) => p.metadata.uid));
    for (const pod of atKill) expect(finalUids).toContain(pod.metadata.uid);

    // Docker agrees: exactly one running app container per pod, none for pods that are gone.
    const apps = await eventually(async () => {
      const list = running("app");
      return list.length === REPLICAS && list;
    }, 60_000);
    expect(apps.map((c) => c.labels["io.kubeflare.pod.uid"]).sort()).toEqual([...finalUids].sort());
    // A crash between create and start must not leave a second instance of the same attempt behind.
    for (const uid of finalUids) {
      const attempts = dockerContainers({ "io.kubeflare.pod.uid": uid, "io.kubeflare.role": "app" }).map(
        (c) => c.labels["io.kubeflare.container.restart-count"],
      );
      expect(new Set(attempts).size).toBe(attempts.length);
    }
    expect(running("infra").map((c) => c.labels["io.kubeflare.pod.uid"]).sort()).toEqual([...finalUids].sort());
    expect(await k.ok(["get", "deployment", "web", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}/{.status.updatedReplicas}"])).toBe(
      `${REPLICAS}/${REPLICAS}`,
    );
  });
});
