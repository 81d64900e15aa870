/**
 * Faults at the control plane: many writers racing on one object, then
 * wrangler dev stopped and started again on the same state while agents run
 * pods. Optimistic concurrency must keep every accepted write and refuse the
 * rest with 409; the restart must keep every object, the agents must come
 * back by themselves, and running pods must not be touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually } from "../support/controlplane.js";
import { dockerInspect, runningContainers } from "../support/agents.js";
import { startCluster, type Cluster, type Kubectl } from "../support/cluster.js";
import { webDeployment } from "../support/fault-fixtures.js";
import { uniqueName } from "./agent-helpers.js";

const nodes = [uniqueName("fault-cp-a"), uniqueName("fault-cp-b")];
const namespace = uniqueName("fault-cp");
const WRITERS = 50;
let cluster: Cluster | undefined;
let k: Kubectl;

const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${namespace}}
data: {mode: steady}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: ${namespace}}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${namespace}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
${webDeployment(namespace, { replicas: 2, envFrom: [{ configMapRef: { name: "settings" } }, { secretRef: { name: "creds" } }] })}`;

const deploymentPath = `/apis/apps/v1/namespaces/${namespace}/deployments/web`;
const runningOf = (pods: any[]) => pods.flatMap((p) => runningContainers({ "io.kubeflare.pod.uid": p.metadata.uid }));

beforeAll(async () => {
  cluster = await startCluster({ nodes, namespace });
  k = cluster.k;
  await k.ok(["apply", "-f", "-"], manifest);
  await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=120s"]);
});

afterAll(() => cluster?.stop());

/** One writer: read, add its own annotation, PUT with the read resourceVersion; on 409 read again and retry. */
async function writer(index: number, outcomes: { status: number; resourceVersion?: string }[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const read = await api(cluster!.cp, "GET", deploymentPath);
    if (read.status !== 200) throw new Error(`writer ${index}: GET answered ${read.status}: ${read.text}`);
    const deployment = read.body;
    deployment.metadata.annotations = { ...deployment.metadata.annotations, [`writer.kubeflare.test/${index}`]: String(index) };
    const put = await api(cluster!.cp, "PUT", deploymentPath, deployment);
    outcomes.push({ status: put.status, resourceVersion: put.body?.metadata?.resourceVersion });
    if (put.status === 200) return;
    if (put.status !== 409) throw new Error(`writer ${index}: PUT answered ${put.status}: ${put.text}`);
  }
  throw new Error(`writer ${index} never got its update in`);
}

describe("control plane faults", () => {
  it(`keeps every accepted update of ${WRITERS} concurrent writers and refuses the rest with 409`, async () => {
    const outcomes: { status: number; resourceVersion?: string }[] = [];
    await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i, outcomes)));

    const accepted = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 409);
    expect(accepted.length + refused.length).toBe(outcomes.length);
    expect(accepted).toHaveLength(WRITERS);
    // The writers really raced (fifty read-modify-writes of one object cannot all see distinct versions).
    expect(refused.length).toBeGreaterThan(0);
    // Each accepted write produced its own version: no two writers were told they won on the same object.
    expect(new Set(accepted.map((o) => o.resourceVersion)).size).toBe(accepted.length);
    const annotations = JSON.parse(await k.ok(["get", "deployment", "web", "-n", namespace, "-o", "json"])).metadata.annotations;
    for (let i = 0; i < WRITERS; i++) expect(annotations[`writer.kubeflare.test/${i}`]).toBe(String(i));
  });

  it("keeps every object across a restart, agents reconnect by themselves, running pods are untouched", async () => {
    const objects = async () => {
      const list = JSON.parse(await k.ok(["get", "deploy,rs,pods,svc,cm,secret", "-n", namespace, "-o", "json"])).items as any[];
      return new Map(list.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    };
    const before = await objects();
    const pods = [...before.values()].filter((o) => o.kind === "Pod");
    expect(pods).toHaveLength(2);
    const containers = runningOf(pods);
    expect(containers.length).toBe(4); // a sandbox and an app container per pod
    const started = new Map(containers.map((c) => [c.id, dockerInspect(c.id).State.StartedAt as string]));
    const { agents } = cluster!;
    const reconnectsBefore = agents.map((a) => (a.output().match(/reconnected to control plane/g) ?? []).length);

    await cluster!.withControlPlaneDown(async () => {
      // The agents notice the outage before it ends.
      await eventually(async () => agents.every((a) => /control plane .* unreachable/.test(a.output())), 60_000, 250);
    });
    const restartedAt = Date.now();

    // Every object is still there, the same object (uid), unchanged where nobody but us writes.
    const after = await objects();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, object] of before) {
      expect(after.get(key)!.metadata.uid).toBe(object.metadata.uid);
      if (/^(ConfigMap|Secret|Service|Deployment)\//.test(key)) expect(after.get(key)!.metadata.resourceVersion).toBe(object.metadata.resourceVersion);
    }
    expect(Object.keys(after.get("Deployment/web")!.metadata.annotations).filter((a) => a.startsWith("writer.")).length).toBe(WRITERS);

    // The agents come back without help: a reconnect each, then a fresh node status (Ready, heartbeat after the restart).
    await eventually(
      async () => agents.every((a, i) => (a.output().match(/reconnected to control plane/g) ?? []).length > reconnectsBefore[i]),
      90_000,
      250,
    );
    await eventually(async () => {
      const list = JSON.parse(await k.ok(["get", "nodes", "-o", "json"])).items as any[];
      return nodes.every((n) => {
        const ready = list.find((x) => x.metadata.name === n)?.status.conditions.find((c: any) => c.type === "Ready");
        // Condition times have whole seconds.
        return ready?.status === "True" && Date.parse(ready.lastHeartbeatTime) >= restartedAt - 1000;
      });
    }, 60_000);

    // The pods were never touched: same containers, same start times, and still Ready.
    for (const [id, startedAt] of started) {
      const info = dockerInspect(id);
      expect(info.State.Running).toBe(true);
      expect(info.State.StartedAt).toBe(startedAt);
    }
    const now = runningOf(pods);
    expect(now.map((c) => c.id).sort()).toEqual([...started.keys()].sort());
    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s"]);
    const uidsNow = (await k.ok(["get", "pods", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}"])).split(" ").sort();
    expect(uidsNow).toEqual(pods.map((p) => p.metadata.uid).sort());
  });
});
