/**
 * A control plane with real agents, as every e2e test that runs pods sets it
 * up: Docker and the test image checked, wrangler dev started, kubectl pointed
 * at it, one agent process per node, and one teardown that undoes all of it.
 */
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "./controlplane.js";
import { removeNodeContainers, startAgentProcess, type AgentProcess } from "./agents.js";
import { ensureTestImage, requireDocker } from "./images.js";

export type Kubectl = ReturnType<typeof kubectlFor>;

export interface AgentSpec {
  name: string;
  /** Where this agent reaches the control plane when not directly, e.g. through a TCP proxy. */
  url?: string;
  /** Extra environment, e.g. DOCKER_HOST for a private daemon. */
  env?: Record<string, string>;
}

export interface Cluster {
  /** The live control plane (a new one after withControlPlaneDown). */
  readonly cp: ControlPlane;
  k: Kubectl;
  agents: AgentProcess[];
  /** Starts one more agent; teardown stops it and removes its containers. */
  startAgent(agent: string | AgentSpec): Promise<AgentProcess>;
  /** Stops the control plane, runs `outage`, then starts it again on the same state and port, even when `outage` throws. */
  withControlPlaneDown<T>(outage: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Agents started before startCluster returns; it waits until each Node is Ready. */
  nodes?: (string | AgentSpec)[];
  /** A namespace to create once the nodes are Ready. */
  namespace?: string;
  /** Extra Worker vars, e.g. a short NODE_MONITOR_GRACE_SECONDS. */
  vars?: Record<string, string>;
}

/** Waits until every named Node reports Ready=True. */
export async function waitForNodesReady(k: Kubectl, nodes: string[], timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    const list = JSON.parse(await k.ok(["get", "nodes", "-o", "json"])).items as any[];
    return nodes.every((name) => {
      const node = list.find((n) => n.metadata.name === name);
      return node?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
    });
  }, timeoutMs);
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  await requireDocker();
  await ensureTestImage();
  const specs = (opts.nodes ?? []).map((n) => (typeof n === "string" ? { name: n } : n));
  // Node names may be fixed ones a crashed earlier run left containers for.
  removeNodeContainers(specs.map((s) => s.name));
  let cp = await startControlPlane({ vars: opts.vars });
  const agents: AgentProcess[] = [];
  const cluster: Cluster = {
    get cp() {
      return cp;
    },
    k: kubectlFor(cp),
    agents,
    async startAgent(agent) {
      const spec = typeof agent === "string" ? { name: agent } : agent;
      const started = await startAgentProcess(spec.url ? { ...cp, url: spec.url } : cp, spec.name, spec.env);
      agents.push(started);
      return started;
    },
    async withControlPlaneDown(outage) {
      const port = cp.port;
      await cp.stop();
      try {
        return await outage();
      } finally {
        cp = await startControlPlane({ stateDir: cp.stateDir, port, vars: opts.vars });
      }
    },
    async stop() {
      for (const agent of agents) await agent.kill();
      removeNodeContainers(agents.map((a) => a.name));
      await cp.stop();
      removeState(cp.stateDir);
    },
  };
  // A setup that fails half-way still has to stop what it started: the caller gets no cluster to stop.
  try {
    for (const spec of specs) await cluster.startAgent(spec);
    if (specs.length) await waitForNodesReady(cluster.k, specs.map((s) => s.name));
    if (opts.namespace) await cluster.k.ok(["create", "namespace", opts.namespace]);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
