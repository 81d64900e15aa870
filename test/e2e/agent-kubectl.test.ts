/**
 * The whole path of a pod: kubectl → wrangler dev → scheduler → node channel
 * → two real agents (separate processes, separate nodes, one Docker) →
 * containers. Then the faults: a crashing container, a deleted pod, an
 * agent killed with SIGKILL, the control plane stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { eventually } from "../support/controlplane.js";
import { dockerContainers, dockerInspect, runningContainers } from "../support/agents.js";
import { startCluster, type Cluster, type Kubectl } from "../support/cluster.js";

const NODES = ["e2e-node-a", "e2e-node-b"];
let cluster: Cluster | undefined;
let k: Kubectl;

const web = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-content
data:
  index.html: hello from a configmap
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: httpd
        image: kubeflare/busybox:test
        imagePullPolicy: Never
        command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
        env:
        - {name: GREETING, value: hi}
        - name: MY_POD
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        resources:
          limits: {memory: 64Mi, cpu: 250m}
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1
        volumeMounts: [{name: content, mountPath: /www}]
      volumes:
      - name: content
        configMap: {name: web-content}
`;

const pair = `
apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  containers:
  - name: server
    image: kubeflare/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "echo shared-localhost > /tmp/index.html && httpd -f -p 9090 -h /tmp"]
  - name: client
    image: kubeflare/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "while true; do wget -qO- http://localhost:9090/ 2>&1; echo; sleep 1; done"]
`;

/** A pod whose one container, `main`, runs `script` in sh. */
const shPod = (name: string, script: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: main
    image: kubeflare/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", ${JSON.stringify(script)}]
`;

const crasher = shPod("crasher", "echo about to crash; exit 3");
const ticker = shPod("ticker", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done");

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  k = cluster.k;
});

afterAll(() => cluster?.stop());

const podsOf = async (selector: string) => JSON.parse(await k.ok(["get", "pods", "-l", selector, "-o", "json"])).items;

describe("pods on real agents and Docker", () => {
  it("registers nodes with capacity, node info and labels", async () => {
    const nodes = JSON.parse(await k.ok(["get", "nodes", "-o", "json"])).items;
    for (const n of nodes) {
      expect(n.metadata.labels["kubernetes.io/os"]).toBe("linux");
      expect(n.status.allocatable.pods).toBe("110");
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\//);
      expect(n.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    }
    expect(await k.ok(["get", "nodes"])).toMatch(/e2e-node-a\s+Ready/);
  });

  it("runs a 3-replica Deployment to Running/Ready with labels, limits, env and ConfigMap files in Docker", async () => {
    await k.ok(["apply", "-f", "-"], web);
    expect(await k.ok(["rollout", "status", "deployment/web", "--timeout=120s"])).toContain("successfully rolled out");
    const pods = await podsOf("app=web");
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const containers = dockerContainers({ "io.kubeflare.pod.uid": pod.metadata.uid });
      const app = containers.find((c) => c.labels["io.kubeflare.container.name"] === "httpd")!;
      expect(app).toBeDefined();
      expect(app.labels).toMatchObject({ "io.kubeflare.pod.name": pod.metadata.name, "io.kubeflare.pod.namespace": "default", "io.kubeflare.node": pod.spec.nodeName });
      const info = dockerInspect(app.id);
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(info.HostConfig.NanoCpus).toBe(250_000_000);
      expect(info.Config.Env).toEqual(expect.arrayContaining(["GREETING=hi", `MY_POD=${pod.metadata.name}`]));
      const page = execFileSync("docker", ["exec", app.id, "cat", "/www/index.html"], { encoding: "utf8" });
      expect(page).toBe("hello from a configmap");
    }
    expect(new Set(pods.map((p: any) => p.spec.nodeName)).size).toBe(2);
  });

  it("lets two containers of one pod talk over localhost, and shows their logs", async () => {
    await k.ok(["apply", "-f", "-"], pair);
    await k.ok(["wait", "--for=condition=Ready", "pod/pair", "--timeout=90s"]);
    const logs = await eventually(async () => {
      const out = await k.ok(["logs", "pair", "-c", "client"]);
      return out.includes("shared-localhost") && out;
    }, 60_000);
    expect(logs).toContain("shared-localhost");
  });

  it("follows logs with kubectl logs -f and honours --tail", async () => {
    await k.ok(["apply", "-f", "-"], ticker);
    await k.ok(["wait", "--for=condition=Ready", "pod/ticker", "--timeout=90s"]);
    const follow = k.spawn(["logs", "-f", "ticker"]);
    let out = "";
    follow.stdout!.on("data", (d) => (out += d));
    try {
      await eventually(async () => (out.match(/tick \d+/g) ?? []).length >= 5, 30_000);
    } finally {
      follow.kill();
    }
    const tail = (await k.ok(["logs", "ticker", "--tail=2"])).trim().split("\n");
    expect(tail).toHaveLength(2);
    expect(tail[0]).toMatch(/^tick \d+$/);
    const stamped = (await k.ok(["logs", "ticker", "--tail=1", "--timestamps"])).trim();
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z tick \d+$/);
  });

  it("shows a crashing container in CrashLoopBackOff with growing restart counts", async () => {
    await k.ok(["apply", "-f", "-"], crasher);
    const pod = await eventually(async () => {
      const p = JSON.parse(await k.ok(["get", "pod", "crasher", "-o", "json"]));
      const s = p.status.containerStatuses?.[0];
      return s && s.restartCount >= 2 && s.state?.waiting?.reason === "CrashLoopBackOff" && p;
    }, 120_000);
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(await k.ok(["get", "pod", "crasher"])).toMatch(/crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    expect(await k.ok(["logs", "crasher", "--previous"])).toContain("about to crash");
  });

  it("stops a deleted pod's containers gracefully and the ReplicaSet replaces it", async () => {
    const [victim] = await podsOf("app=web");
    expect(await k.ok(["delete", "pod", victim.metadata.name, "--timeout=60s"])).toContain("deleted");
    expect(runningContainers({ "io.kubeflare.pod.uid": victim.metadata.uid })).toHaveLength(0);
    await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"]);
    const pods = await podsOf("app=web");
    expect(pods).toHaveLength(3);
    expect(pods.map((p: any) => p.metadata.uid)).not.toContain(victim.metadata.uid);
  });

  it("adopts its running containers after being killed with SIGKILL (no duplicates)", async () => {
    const agent = cluster!.agents[0];
    const before = runningContainers({ "io.kubeflare.node": agent.name });
    expect(before.length).toBeGreaterThan(0);
    await agent.kill("SIGKILL");
    await agent.restart();
    await eventually(async () => agent.output().match(/connected to control plane/g)!.length >= 2, 60_000);
    await new Promise((r) => setTimeout(r, 5000));
    const after = runningContainers({ "io.kubeflare.node": agent.name });
    const ids = (list: { id: string; labels: Record<string, string> }[]) =>
      list.filter((c) => c.labels["io.kubeflare.pod.name"] !== "crasher").map((c) => c.id).sort();
    expect(ids(after)).toEqual(ids(before));
    await k.ok(["rollout", "status", "deployment/web", "--timeout=60s"]);
  });

  it("keeps pods running and restarting crashed containers while the control plane is down", async () => {
    const running = runningContainers({ "io.kubeflare.pod.name": "ticker" });
    expect(running.length).toBeGreaterThan(0);
    const restarts = () =>
      Math.max(...dockerContainers({ "io.kubeflare.pod.name": "crasher" }).map((c) => Number(c.labels["io.kubeflare.container.restart-count"] ?? 0)));
    const restartsBefore = restarts();
    await cluster!.withControlPlaneDown(async () => {
      await eventually(async () => restarts() > restartsBefore, 120_000, 1000);
      expect(runningContainers({ "io.kubeflare.pod.name": "ticker" }).map((c) => c.id)).toEqual(running.map((c) => c.id));
    });
    await eventually(async () => (await k.ok(["get", "pod", "ticker", "-o", "jsonpath={.status.phase}"])) === "Running", 60_000);
    await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"]);
    const pods = await podsOf("app=web");
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(runningContainers({ "io.kubeflare.pod.uid": p.metadata.uid, "io.kubeflare.role": "app" })).toHaveLength(1);
  });
});
