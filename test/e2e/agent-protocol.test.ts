/**
 * The whole agent (startAgent) against a fake control plane speaking
 * docs/agent-protocol.md over HTTPS with a throwaway CA, running pods in real
 * Docker: registration, heartbeat, desired-state long-poll, pod status, logs
 * streams, graceful deletion, and life without the control plane.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type AgentHandle, type AgentOptions } from "../../agent/src/index.js";
import { ensureTestImage } from "../support/images.js";
import { FakeControlPlane, makeCertificates, removeCertificates } from "./agent-fake-controlplane.js";
import { containersWithLabel, docker, inspectField, removeNodeContainers, uniqueName, waitFor } from "./agent-helpers.js";

let image: string;
let certificates: Awaited<ReturnType<typeof makeCertificates>>;
let stateRoot: string;
const agents: AgentHandle[] = [];
const planes: FakeControlPlane[] = [];
const nodes: string[] = [];

beforeAll(async () => {
  image = await ensureTestImage();
  certificates = await makeCertificates();
  stateRoot = await mkdtemp(join(tmpdir(), "kubeflare-agent-protocol-"));
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  await Promise.all(planes.splice(0).map((plane) => plane.stop()));
  for (const node of nodes.splice(0)) await removeNodeContainers(node);
});

afterAll(async () => {
  if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
  if (certificates) await removeCertificates(certificates.dir);
});

async function controlPlane(): Promise<FakeControlPlane> {
  const plane = new FakeControlPlane({ key: certificates.key, cert: certificates.cert });
  await plane.start();
  planes.push(plane);
  return plane;
}

async function agent(plane: FakeControlPlane, overrides: Partial<AgentOptions> = {}): Promise<{ handle: AgentHandle; log: string[] }> {
  const log: string[] = [];
  const nodeName = overrides.nodeName ?? uniqueName("e2e-agent");
  if (!nodes.includes(nodeName)) nodes.push(nodeName);
  const handle = await startAgent({
    server: plane.url,
    token: plane.token,
    caFile: certificates.caFile,
    nodeName,
    labels: { "example.com/tier": "test" },
    stateDir: join(stateRoot, nodeName),
    nodeIP: "127.0.0.1",
    heartbeatIntervalMs: 300,
    pollTimeoutSeconds: 2,
    statusBatchMs: 50,
    resyncIntervalMs: 1_000,
    backoff: { baseMs: 300, maxMs: 600 },
    reconnectBackoff: { baseMs: 100, maxMs: 400 },
    // The fake control plane serves no Services: this file is about the node protocol, not the kube-proxy.
    proxy: false,
    log: (line) => log.push(line),
    ...overrides,
  });
  agents.push(handle);
  return { handle, log };
}

function pod(nodeName: string, containers: any[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uniqueName("web"), namespace: "default", uid: uniqueName("uid"), resourceVersion: "5" },
    spec: { nodeName, terminationGracePeriodSeconds: 5, containers, ...extra },
    status: { phase: "Pending" },
  };
}

const busybox = (name: string, script: string) => ({ name, image, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", script] });

describe("agent and control plane", () => {
  it("registers its Node, renews its Lease, runs desired pods, reports status, streams logs and completes deletions", async () => {
    const plane = await controlPlane();
    const { handle, log } = await agent(plane);
    const nodeName = handle.nodeName;

    const node = await waitFor("node registration", () => plane.nodes.get(nodeName));
    expect(node.metadata.labels).toMatchObject({
      "kubernetes.io/hostname": nodeName,
      "kubernetes.io/os": "linux",
      "example.com/tier": "test",
    });
    await waitFor("a node status update", () => plane.nodeStatusUpdates.length > 0);
    const status = plane.nodeStatusUpdates[0];
    expect(status.capacity).toMatchObject({ pods: "110" });
    expect(status.capacity.cpu).toMatch(/^\d+$/);
    expect(status.capacity.memory).toMatch(/^\d+Ki$/);
    expect(status.nodeInfo.kubeletVersion).toMatch(/^v1\.32\.0-kubeflare-\d+\.\d+\.\d+/);
    expect(status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\/\d+\./);
    expect(status.addresses).toEqual(expect.arrayContaining([{ type: "InternalIP", address: "127.0.0.1" }]));
    expect(status.conditions.find((c: any) => c.type === "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
    await waitFor("lease renewals", () => plane.leaseRenewals >= 2);
    const lease = plane.leases.get(nodeName);
    expect(lease.spec).toMatchObject({ holderIdentity: nodeName, leaseDurationSeconds: 1860 });
    expect(lease.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(log[0]).toMatch(/starting as node/);
    expect(log.some((line) => line.startsWith("connected to control plane"))).toBe(true);

    const web = pod(nodeName, [busybox("web", "for i in 1 2 3 4; do echo hello $i; done; exec sleep 3600")]);
    plane.setDesired([web]);
    const running = await waitFor("Running status", () => {
      const s = plane.statusOf(web.metadata.uid);
      return s?.phase === "Running" && s.conditions?.find((c: any) => c.type === "Ready")?.status === "True" && s;
    });
    expect(running.podIP).toBeTruthy();
    expect(running.hostIP).toBe("127.0.0.1");
    expect(running.containerStatuses[0]).toMatchObject({ name: "web", ready: true, restartCount: 0, containerID: expect.stringMatching(/^docker:\/\//) });
    expect(running.containerStatuses[0].imageID).toMatch(/^docker(-pullable)?:\/\//);
    const reportsBefore = plane.statusReports.length;

    // Logs: a log command in the long-poll answer becomes an upload to /streams/{id}.
    const [webApp] = await containersWithLabel(`io.kubeflare.pod.uid=${web.metadata.uid}`, "io.kubeflare.role=app");
    await waitFor("four lines logged", async () => (await docker("logs", webApp)).includes("hello 4"));
    plane.sendCommand({ id: "log-1", type: "log", namespace: "default", pod: web.metadata.name, uid: web.metadata.uid, container: "web", options: { tailLines: 2 } });
    const stream = await waitFor("the log stream", () => plane.streams.get("log-1")?.done && plane.streams.get("log-1"));
    expect(stream.contentType).toBe("text/plain");
    expect(stream.body).toBe("hello 3\nhello 4\n");

    plane.sendCommand({ id: "log-2", type: "log", namespace: "default", pod: web.metadata.name, uid: web.metadata.uid, container: "nope", options: {} });
    const refused = await waitFor("the refusal", () => plane.streams.get("log-2")?.done && plane.streams.get("log-2"));
    expect(refused.contentType).toBe("application/json");
    expect(JSON.parse(refused.body)).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest", message: `container nope is not valid for pod ${web.metadata.name}` });

    // A follow ends when the reader hangs up (the control plane answers the upload early).
    plane.hangUpStreamsAfterBytes = 8;
    plane.sendCommand({ id: "log-3", type: "log", namespace: "default", pod: web.metadata.name, uid: web.metadata.uid, container: "web", options: { follow: true } });
    await waitFor("the followed stream to end", () => plane.streams.get("log-3")?.done);

    // Status goes up on change only: nothing changed, so nothing more was sent.
    expect(plane.statusReports.length).toBe(reportsBefore);
    expect(plane.events.map((e) => e.reason)).toEqual(expect.arrayContaining(["Created", "Started"]));
    expect(plane.events[0]).toMatchObject({ source: { component: "kubelet", host: nodeName }, involvedObject: { kind: "Pod", uid: web.metadata.uid } });

    // Graceful deletion: containers stop, then DELETE with gracePeriodSeconds 0 and a uid precondition.
    plane.setDesired([{ ...web, metadata: { ...web.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 3 } }]);
    const deletion = await waitFor("the pod deletion", () => plane.deletions[0]);
    expect(deletion).toMatchObject({ namespace: "default", name: web.metadata.name, body: { gracePeriodSeconds: 0, preconditions: { uid: web.metadata.uid } } });
    expect(await containersWithLabel(`io.kubeflare.pod.uid=${web.metadata.uid}`)).toEqual([]);
  });

  it("keeps pods restarting while the control plane is away, reports the truth when it returns, and starts offline from its cache", async () => {
    const plane = await controlPlane();
    const { handle, log } = await agent(plane);
    const nodeName = handle.nodeName;
    const crasher = pod(nodeName, [busybox("crash", "echo once; sleep 0.2; exit 1")]);
    const steady = pod(nodeName, [busybox("steady", "exec sleep 3600")], { terminationGracePeriodSeconds: 2 });
    plane.setDesired([crasher, steady]);
    await waitFor("a reported restart", () => plane.statusOf(crasher.metadata.uid)?.containerStatuses?.[0].restartCount >= 1);
    await waitFor("the steady pod running", () => plane.statusOf(steady.metadata.uid)?.phase === "Running");

    await plane.stop();
    // The connection monitor's own line (other lines, e.g. about routes, may say "unreachable" too).
    const outageLine = (line: string) => line.startsWith(`control plane ${plane.url} unreachable (`);
    await waitFor("the agent to notice", () => log.some(outageLine));
    const restartsNow = async () => {
      const ids = await containersWithLabel(`io.kubeflare.pod.uid=${crasher.metadata.uid}`);
      const counts = await Promise.all(ids.map((id) => inspectField(id, '{{index .Config.Labels "io.kubeflare.container.restart-count"}}')));
      return Math.max(...counts.filter((count) => count !== undefined).map(Number));
    };
    const atOutage = await restartsNow();
    const duringOutage = await waitFor("restarts while offline", async () => {
      const count = await restartsNow();
      return count >= atOutage + 2 && count;
    });

    await plane.start();
    await waitFor("the reconnect", () => log.some((line) => line.startsWith("reconnected to control plane")));
    await waitFor("the offline restarts reported", () => plane.statusOf(crasher.metadata.uid)?.containerStatuses?.[0].restartCount >= duringOutage);
    expect(log.filter(outageLine), log.join("\n")).toHaveLength(1);

    // A fresh agent while the control plane is down runs from the cached desired state:
    // a container killed behind its back is replaced, nothing else is duplicated.
    await handle.stop();
    agents.splice(agents.indexOf(handle), 1);
    await plane.stop();
    const [steadyApp] = await containersWithLabel(`io.kubeflare.node=${nodeName}`, "io.kubeflare.container.name=steady");
    await docker("kill", steadyApp);
    const { log: offlineLog } = await agent(plane, { nodeName });
    expect(offlineLog.some((line) => line.includes("cached desired state"))).toBe(true);
    await waitFor("the killed container replaced", async () => {
      const ids = await containersWithLabel(`io.kubeflare.pod.uid=${steady.metadata.uid}`);
      const running = await Promise.all(ids.map((id) => inspectField(id, '{{.State.Running}} {{index .Config.Labels "io.kubeflare.role"}}')));
      return running.filter((line) => line === "true app").length === 1 && running.filter((line) => line?.endsWith(" infra")).length === 1;
    });
  });
});
