/**
 * Fault: dockerd restarted under a running agent. The machine's dockerd is
 * shared with other tests, so this test runs its own private daemon
 * (test/support/private-docker.ts) and points one agent at it. Stopping that
 * daemon kills every container on it (no live-restore); the agent must
 * notice, wait for Docker to come back, and bring the same pods back Running
 * with new container instances, nothing duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { startAgentProcess, type AgentProcess } from "../support/agents.js";
import { ensureTestImage, requireDocker } from "../support/images.js";
import { startPrivateDocker, type PrivateDocker } from "../support/private-docker.js";
import { uniqueName } from "./agent-helpers.js";

const node = uniqueName("fault-dockerd");
const namespace = uniqueName("fault-dockerd");
let cp: ControlPlane | undefined;
let k: ReturnType<typeof kubectlFor>;
let daemon: PrivateDocker | undefined;
let agent: AgentProcess | undefined;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: kubeflare/busybox:test
        imagePullPolicy: Never
        command: ["sh", "-c", "echo up > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1
`;

interface Running {
  id: string;
  podUid: string;
  role: string;
}

/** Running containers of this node on the private daemon. */
async function running(): Promise<Running[]> {
  const out = await daemon!.docker("ps", "--no-trunc", "--filter", `label=io.kubeflare.node=${node}`, "--format", "{{json .}}");
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { ID: string; Labels: string })
    .map((c) => {
      const labels = Object.fromEntries(c.Labels.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
      return { id: c.ID, podUid: labels["io.kubeflare.pod.uid"], role: labels["io.kubeflare.role"] };
    });
}

const pods = async () => JSON.parse(await k.ok(["get", "pods", "-n", namespace, "-o", "json"])).items as any[];
const ready = (pod: any) =>
  pod.status?.phase === "Running" && pod.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");

beforeAll(async () => {
  await requireDocker();
  await ensureTestImage();
  daemon = await startPrivateDocker();
  cp = await startControlPlane();
  k = kubectlFor(cp);
  agent = await startAgentProcess(cp, node, { DOCKER_HOST: daemon.host });
  await eventually(async () => (await k.ok(["get", "node", node, "-o", "name"])).trim() !== "", 60_000);
  await k.ok(["create", "namespace", namespace]);
});

afterAll(async () => {
  await agent?.kill();
  await daemon?.destroy();
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("dockerd restarted under the agent", () => {
  it("brings the same pods back Running with new containers, one per pod, after Docker returns", async () => {
    await k.ok(["apply", "-f", "-"], manifest);
    await k.ok(["rollout", "status", "deployment/web", "-n", namespace, "--timeout=120s"]);
    const before = await pods();
    expect(before).toHaveLength(2);
    const appsBefore = (await running()).filter((c) => c.role === "app");
    expect(appsBefore.map((c) => c.podUid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());

    await daemon!.stop();
    await daemon!.start();

    // The containers died with the daemon; the agent starts new instances in new sandboxes.
    const after = await eventually(
      async () => {
        const apps = (await running()).filter((c) => c.role === "app");
        const fresh = apps.filter((c) => !appsBefore.some((old) => old.id === c.id));
        return fresh.length === 2 && apps.length === 2 && apps;
      },
      120_000,
      500,
    );
    expect(new Set(after.map((c) => c.podUid))).toEqual(new Set(before.map((p) => p.metadata.uid)));
    const sandboxes = (await running()).filter((c) => c.role === "infra");
    expect(sandboxes.map((c) => c.podUid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());

    // The same Pod objects (no replacement), Running and Ready again, as kubectl shows them.
    const back = await eventually(async () => {
      const list = await pods();
      return list.length === 2 && list.every(ready) && list;
    }, 90_000);
    expect(back.map((p) => p.metadata.uid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());
    for (const pod of back) expect(pod.status.containerStatuses[0].state.running).toBeDefined();
    expect(await k.ok(["get", "pods", "-n", namespace])).toMatch(/1\/1\s+Running/);
    expect(agent!.output()).not.toMatch(/unhandled|TypeError/i);
  });
});
