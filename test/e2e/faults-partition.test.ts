/**
 * Fault: the link between one agent and the control plane is cut (a TCP
 * proxy in front of the control plane stops passing traffic) for longer than
 * the node grace period. As in Kubernetes: the pods keep running on the cut
 * node, the node turns NotReady, its pods are evicted once their toleration
 * runs out and replaced on the other node; when the link returns, the agent
 * learns its pods were deleted, stops them, and nothing runs beyond the
 * desired count.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { eventually } from "../support/controlplane.js";
import { runningContainers } from "../support/agents.js";
import { startCluster, waitForNodesReady, type Cluster, type Kubectl } from "../support/cluster.js";
import { listPods, podReady, webDeployment } from "../support/fault-fixtures.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { uniqueName } from "./agent-helpers.js";

const cutNode = uniqueName("fault-cut");
const otherNode = uniqueName("fault-other");
const namespace = uniqueName("fault-cut");
/** Above the agents' 10 s heartbeat with room for a loaded machine, short enough for a test. */
const GRACE_SECONDS = 20;
let cluster: Cluster | undefined;
let k: Kubectl;
let proxy: TcpProxy | undefined;

// A short toleration of the unreachable taint, as a user who wants fast failover writes it.
const manifest = webDeployment(namespace, {
  replicas: 2,
  tolerations: ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"].map((key) => ({
    key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 2,
  })),
});

const pods = () => listPods(k, namespace);
const ready = (pod: any) => !pod.metadata.deletionTimestamp && podReady(pod);
const runningApps = (node: string) =>
  runningContainers({ "io.kubeflare.node": node, "io.kubeflare.pod.namespace": namespace, "io.kubeflare.role": "app" });
const nodeReady = async (node: string) =>
  JSON.parse(await k.ok(["get", "node", node, "-o", "json"])).status.conditions.find((c: any) => c.type === "Ready")?.status;

beforeAll(async () => {
  cluster = await startCluster({ vars: { NODE_MONITOR_GRACE_SECONDS: String(GRACE_SECONDS) } });
  k = cluster.k;
  proxy = await startTcpProxy(cluster.cp.port);
  // The cut node reaches the control plane only through the proxy; the other one directly.
  await cluster.startAgent({ name: cutNode, url: proxy.url });
  await cluster.startAgent(otherNode);
  await waitForNodesReady(k, [cutNode, otherNode]);
  await k.ok(["create", "namespace", namespace]);
});

afterAll(async () => {
  await cluster?.stop();
  await proxy?.close();
});

describe("network cut between an agent and the control plane", () => {
  it("keeps pods running on the cut node, replaces them elsewhere, and stops the stale ones when the link returns", async () => {
    onTestFailed(() => {
      console.error(`control plane output:\n${cluster?.cp.output().slice(-3000)}`);
      for (const agent of cluster?.agents ?? []) console.error(`agent ${agent.name}:\n${agent.output().slice(-3000)}`);
    });
    // Start with every replica on the node that will be cut off.
    await k.ok(["cordon", otherNode]);
    await k.ok(["apply", "-f", "-"], manifest);
    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=120s"]);
    await k.ok(["uncordon", otherNode]);
    const original = await pods();
    expect(original.map((p) => p.spec.nodeName)).toEqual([cutNode, cutNode]);
    const originalContainers = runningApps(cutNode).map((c) => c.id).sort();
    expect(originalContainers).toHaveLength(2);

    proxy!.cut();
    await eventually(async () => (await nodeReady(cutNode)) === "Unknown", (GRACE_SECONDS + 90) * 1000, 1000);
    expect(await k.ok(["get", "node", cutNode])).toMatch(/NotReady/);

    // Evicted (Terminating, since their node cannot confirm) and replaced on the reachable node.
    const replacements = await eventually(
      async () => {
        const list = await pods();
        const fresh = list.filter((p) => p.spec.nodeName === otherNode && ready(p));
        const evicted = list.filter((p) => p.spec.nodeName === cutNode && p.metadata.deletionTimestamp);
        return fresh.length === 2 && evicted.length === 2 && fresh;
      },
      120_000,
      1000,
    );
    // The cut node never heard of any of this: its containers run on, untouched.
    expect(runningApps(cutNode).map((c) => c.id).sort()).toEqual(originalContainers);

    proxy!.restore();
    await eventually(async () => (await nodeReady(cutNode)) === "True", 120_000, 1000);
    // The agent learns its pods were deleted, stops them and confirms; only the replacements remain.
    const final = await eventually(
      async () => {
        const list = await pods();
        return list.length === 2 && runningApps(cutNode).length === 0 && list;
      },
      120_000,
      1000,
    );
    expect(final.map((p) => p.metadata.uid).sort()).toEqual(replacements.map((p: any) => p.metadata.uid).sort());
    expect(final.every((p) => p.spec.nodeName === otherNode && ready(p))).toBe(true);
    const running = runningApps(otherNode);
    expect(running.map((c) => c.labels["io.kubeflare.pod.uid"]).sort()).toEqual(final.map((p) => p.metadata.uid).sort());
    expect(proxy!.accepted()).toBeGreaterThan(0);
    expect(cluster!.agents[0].output()).toMatch(/reconnected to control plane/);
  });
});
