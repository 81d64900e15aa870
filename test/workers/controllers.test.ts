/**
 * Controllers on Durable Object alarms, with simulated nodes: Deployments
 * converge and roll, the scheduler never oversubscribes a node, silent nodes
 * lose their pods, Jobs stop at their backoff limit.
 */
import { describe, expect, it } from "vitest";
import { call, createNode, mergePatch, reportPodsReady, settle } from "./helpers.js";

const deployment = (name: string, replicas: number, image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "web", image, resources: { requests: { cpu: "100m", memory: "64Mi" } } }] },
    },
    ...extra,
  },
});

async function converge(namespace: string, nodes: string[], rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    await settle([namespace]);
    for (const n of nodes) await reportPodsReady(n, namespace);
    await settle([namespace]);
  }
}

describe("deployments on simulated nodes", () => {
  it("converges a 10-replica Deployment, rolls a new image without dropping below 10 ready, and undoes", async () => {
    await createNode("sim-1");
    await createNode("sim-2");
    await call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 10, "img:v1", { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } } }));
    await converge("default", ["sim-1", "sim-2"], 6);
    let d = (await call("GET", "/apis/apps/v1/namespaces/default/deployments/web")).body;
    expect(d.status).toMatchObject({ replicas: 10, readyReplicas: 10, availableReplicas: 10, updatedReplicas: 10, observedGeneration: 1 });
    const pods = (await call("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body.items;
    expect(pods).toHaveLength(10);
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([5, 5]);

    // set image with maxUnavailable=0: ready pods never drop below 10.
    await call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "img:v2" }], { "content-type": "application/json-patch+json" });
    let minReady = Infinity;
    for (let i = 0; i < 12; i++) {
      await settle(["default"]);
      const ready = (await call("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body.items.filter(
        (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
      ).length;
      minReady = Math.min(minReady, ready);
      for (const n of ["sim-1", "sim-2"]) await reportPodsReady(n, "default");
    }
    await converge("default", ["sim-1", "sim-2"], 3);
    expect(minReady).toBeGreaterThanOrEqual(10);
    d = (await call("GET", "/apis/apps/v1/namespaces/default/deployments/web")).body;
    expect(d.status).toMatchObject({ replicas: 10, updatedReplicas: 10, availableReplicas: 10, observedGeneration: 2 });
    const images = (await call("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body.items.map((p: any) => p.spec.containers[0].image);
    expect(new Set(images)).toEqual(new Set(["img:v2"]));
    const rs = (await call("GET", "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).body.items;
    expect(rs).toHaveLength(2);
    expect(rs.map((r: any) => r.metadata.annotations["deployment.kubernetes.io/revision"]).sort()).toEqual(["1", "2"]);

    // rollout undo: kubectl sends the old ReplicaSet's template back (json patch).
    const old = rs.find((r: any) => r.metadata.annotations["deployment.kubernetes.io/revision"] === "1");
    const template = structuredClone(old.spec.template);
    delete template.metadata.labels["pod-template-hash"];
    await call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", [{ op: "replace", path: "/spec/template", value: template }], { "content-type": "application/json-patch+json" });
    await converge("default", ["sim-1", "sim-2"], 8);
    const after = (await call("GET", "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).body.items;
    expect(after).toHaveLength(2);
    const back = after.find((r: any) => r.metadata.name === old.metadata.name);
    expect(back.spec.replicas).toBe(10);
    expect(back.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");
    const events = (await call("GET", "/api/v1/namespaces/default/events")).body.items.map((e: any) => e.reason);
    expect(events).toEqual(expect.arrayContaining(["Scheduled", "SuccessfulCreate", "ScalingReplicaSet"]));
  });
});

describe("the scheduler", () => {
  it("never oversubscribes a node when namespaces race onto it", async () => {
    await createNode("tiny", { cpu: "1", memory: "1Gi", pods: "110" });
    const namespaces = ["race-a", "race-b", "race-c"];
    for (const ns of namespaces) {
      await call("POST", "/api/v1/namespaces", { metadata: { name: ns } });
      for (let i = 0; i < 4; i++)
        await call("POST", `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name: `p${i}` },
          spec: { nodeSelector: { "kubernetes.io/hostname": "tiny" }, containers: [{ name: "c", image: "x", resources: { requests: { cpu: "300m" } } }] },
        });
    }
    await settle(namespaces);
    let bound = 0;
    const pending: any[] = [];
    for (const ns of namespaces) {
      for (const p of (await call("GET", `/api/v1/namespaces/${ns}/pods`)).body.items) {
        if (p.spec.nodeName === "tiny") bound++;
        else pending.push(p);
      }
    }
    expect(bound).toBe(3); // 3 × 300m fit in 1 CPU, a fourth does not
    expect(pending).toHaveLength(9);
    const cond = pending[0].status.conditions.find((c: any) => c.type === "PodScheduled");
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(cond.message).toMatch(/^0\/\d+ nodes are available: .*Insufficient cpu/);
  });
});

describe("jobs", () => {
  it("stops at backoffLimit when its pods fail", async () => {
    await createNode("job-node");
    await call("POST", "/apis/batch/v1/namespaces/default/jobs", {
      metadata: { name: "failing" },
      spec: {
        backoffLimit: 1,
        template: { spec: { restartPolicy: "Never", nodeSelector: { "kubernetes.io/hostname": "job-node" }, containers: [{ name: "c", image: "x" }] } },
      },
    });
    for (let i = 0; i < 6; i++) {
      await settle(["default"]);
      const pods = (await call("GET", "/api/v1/namespaces/default/pods?labelSelector=job-name%3Dfailing")).body.items;
      const items = pods
        .filter((p: any) => p.spec.nodeName && p.status?.phase !== "Failed")
        .map((p: any) => ({ namespace: "default", name: p.metadata.name, uid: p.metadata.uid, status: { phase: "Failed", conditions: [], containerStatuses: [{ name: "c", ready: false, restartCount: 0, image: "x", imageID: "", state: { terminated: { exitCode: 1, reason: "Error", finishedAt: new Date(Date.now() - 3600_000).toISOString() } } }] } }));
      if (items.length) await call("POST", "/kubeflare/v1/nodes/job-node/podstatus", { items });
    }
    await settle(["default"]);
    const job = (await call("GET", "/apis/batch/v1/namespaces/default/jobs/failing")).body;
    expect(job.status.failed).toBe(2);
    expect(job.status.conditions.find((c: any) => c.type === "Failed")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded" });
  });
});

describe("scale subresource", () => {
  it("scales a deployment through /scale and the controller follows", async () => {
    await createNode("scale-node");
    await call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("scaled", 1, "img:v1"));
    const everyNode = (await call("GET", "/api/v1/nodes")).body.items.map((n: any) => n.metadata.name);
    await converge("default", everyNode, 2);
    const r = await call("PATCH", "/apis/apps/v1/namespaces/default/deployments/scaled/scale", { spec: { replicas: 3 } }, mergePatch);
    expect(r.body).toMatchObject({ kind: "Scale", spec: { replicas: 3 }, status: { selector: "app=scaled" } });
    await converge("default", everyNode, 3);
    const d = (await call("GET", "/apis/apps/v1/namespaces/default/deployments/scaled")).body;
    expect(d.status.availableReplicas).toBe(3);
  });
});

describe("node lifecycle", () => {
  it("marks a silent node NotReady, taints it, and replaces its pods elsewhere after their toleration", async () => {
    await createNode("steady");
    await createNode("fading");
    await call("POST", "/api/v1/namespaces", { metadata: { name: "nodes-test" } });
    await call("POST", "/apis/apps/v1/namespaces/nodes-test/deployments", {
      metadata: { name: "spread" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "spread" } },
        template: {
          metadata: { labels: { app: "spread" } },
          spec: {
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["steady", "fading"] }] }] } } },
            tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }],
            containers: [{ name: "c", image: "x" }],
          },
        },
      },
    });
    for (let i = 0; i < 4; i++) {
      await settle(["nodes-test"]);
      for (const n of ["steady", "fading"]) await reportPodsReady(n, "nodes-test");
    }
    const before = (await call("GET", "/api/v1/namespaces/nodes-test/pods")).body.items;
    expect(before.filter((p: any) => p.spec.nodeName === "fading").length).toBeGreaterThan(0);

    // "fading" stops heartbeating; "steady" keeps going. Grace is 5 s in this test runtime (40 s by default).
    const deadline = Date.now() + 7000;
    while (Date.now() < deadline) {
      await reportPodsReady("steady", "nodes-test");
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (let i = 0; i < 6; i++) {
      await settle(["nodes-test", "default"]);
      await reportPodsReady("steady", "nodes-test");
      await new Promise((r) => setTimeout(r, 400));
    }
    const node = (await call("GET", "/api/v1/nodes/fading")).body;
    expect(node.status.conditions.find((c: any) => c.type === "Ready").status).toBe("Unknown");
    expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]),
    );
    const pods = (await call("GET", "/api/v1/namespaces/nodes-test/pods")).body.items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(4);
    expect(pods.map((p: any) => `${p.metadata.name}@${p.spec.nodeName}`).filter((s: string) => !s.endsWith("@steady"))).toEqual([]);
    const events = (await call("GET", "/api/v1/namespaces/default/events")).body.items.map((e: any) => e.reason);
    expect(events).toContain("NodeNotReady");
  });
});

describe("namespace deletion", () => {
  it("removes every object, owners and their pods included, then the namespace", async () => {
    await createNode("ns-node");
    await call("POST", "/api/v1/namespaces", { metadata: { name: "gone-soon" } });
    await call("POST", "/apis/apps/v1/namespaces/gone-soon/deployments", deployment("app", 2, "img"));
    await call("POST", "/api/v1/namespaces/gone-soon/configmaps", { metadata: { name: "cfg" } });
    for (let i = 0; i < 3; i++) {
      await settle(["gone-soon"]);
      for (const n of (await call("GET", "/api/v1/nodes")).body.items.map((x: any) => x.metadata.name)) await reportPodsReady(n, "gone-soon");
    }
    expect((await call("GET", "/api/v1/namespaces/gone-soon/pods")).body.items.length).toBe(2);
    expect((await call("DELETE", "/api/v1/namespaces/gone-soon")).status).toBe(202);
    for (let i = 0; i < 8; i++) {
      await settle(["gone-soon"]);
      // The simulated kubelets confirm graceful pod deletions.
      for (const n of (await call("GET", "/api/v1/nodes")).body.items.map((x: any) => x.metadata.name)) await reportPodsReady(n, "gone-soon");
      if ((await call("GET", "/api/v1/namespaces/gone-soon")).status === 404) break;
    }
    expect((await call("GET", "/api/v1/namespaces/gone-soon")).status).toBe(404);
  });
});
