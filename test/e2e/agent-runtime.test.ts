/**
 * The agent's pod runtime against real Docker: desired Pods go in, real
 * containers come out. No control plane: the tests drive PodRuntime directly
 * and look at Docker with the docker CLI, as a person debugging a node would.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get } from "node:http";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Pod, PodStatus } from "../../src/schema/core.js";
import { DockerClient, type ContainerSummary } from "../../agent/src/docker/client.js";
import { openLogStream, selectLogTarget, type LogOptions } from "../../agent/src/logs.js";
import { PodRuntime, type PodRuntimeOptions } from "../../agent/src/pod-runtime/runtime.js";
import type { DesiredState } from "../../agent/src/pod-runtime/types.js";
import { ensureTestImage } from "../support/images.js";
import { containersWithLabel, docker, dockerInspect, removeNodeContainers, uniqueName, waitFor } from "./agent-helpers.js";

let image: string;
let stateRoot: string;
const runtimes: PodRuntime[] = [];
const nodes: string[] = [];

beforeAll(async () => {
  image = await ensureTestImage();
  stateRoot = await mkdtemp(join(tmpdir(), "kubeflare-agent-e2e-"));
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
  for (const node of nodes.splice(0)) await removeNodeContainers(node);
});

afterAll(async () => {
  if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
});

interface Harness {
  runtime: PodRuntime;
  nodeName: string;
  stateDir: string;
  statuses: PodStatus[];
  events: { reason: string; message: string }[];
  deleted: Pod[];
  desire(state: Partial<DesiredState>): void;
  status(uid: string): PodStatus | undefined;
}

function harness(options: Partial<PodRuntimeOptions> = {}, nodeName = uniqueName("e2e-node")): Harness {
  const statuses: PodStatus[] = [];
  const events: { reason: string; message: string }[] = [];
  const deleted: Pod[] = [];
  const stateDir = join(stateRoot, nodeName);
  const runtime = new PodRuntime({
    docker: new DockerClient(),
    nodeName,
    stateDir,
    hostIP: "127.0.0.1",
    backoff: { baseMs: 300, maxMs: 1_200 },
    resyncIntervalMs: 1_000,
    events: { emit: (_pod, _type, reason, message) => events.push({ reason, message }) },
    onPodStatus: (_pod, status) => statuses.push(status),
    deletePodObject: async (pod) => void deleted.push(pod),
    ...options,
  });
  runtimes.push(runtime);
  if (!nodes.includes(nodeName)) nodes.push(nodeName);
  return {
    runtime,
    nodeName,
    stateDir,
    statuses,
    events,
    deleted,
    desire: (state) => runtime.setDesiredState({ pods: [], configMaps: [], secrets: [], ...state }),
    status: (uid) => runtime.podStatus(uid),
  };
}

let podCounter = 0;
function pod(spec: Partial<Pod["spec"]>, name = `pod-${++podCounter}`): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: uniqueName("uid") },
    spec: { terminationGracePeriodSeconds: 5, containers: [], ...spec },
  };
}

const container = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  name,
  image,
  imagePullPolicy: "IfNotPresent" as const,
  command: ["sh", "-c", script],
  ...extra,
});

const condition = (status: PodStatus | undefined, type: string) => status?.conditions?.find((c) => c.type === type)?.status;

async function podContainers(nodeName: string, uid: string) {
  const ids = await containersWithLabel(`io.kubeflare.pod.uid=${uid}`);
  // The agent may remove an old instance between listing and inspecting.
  const inspected = await Promise.all(ids.map((id) => dockerInspect(id).catch(() => undefined)));
  return inspected.filter((c) => c && c.Config.Labels["io.kubeflare.node"] === nodeName);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

describe("pod runtime on Docker", () => {
  it("runs a pod whose containers share localhost and one IP, with env, ConfigMap files, limits and labels in Docker", async () => {
    const h = harness();
    const hostPort = await freePort();
    const configMap = { metadata: { name: "site", namespace: "default" }, data: { "index.html": "hello from a configmap\n", mode: "fast" } };
    const secret = { metadata: { name: "creds", namespace: "default" }, data: { password: Buffer.from("s3cret").toString("base64") } };
    const web = pod({
      volumes: [
        { name: "site", configMap: { name: "site", items: [{ key: "index.html", path: "index.html" }] } },
        { name: "shared", emptyDir: {} },
      ],
      containers: [
        container("server", "exec httpd -f -p 8080 -h /www", {
          volumeMounts: [{ name: "site", mountPath: "/www" }],
          ports: [{ containerPort: 8080, hostPort: hostPort, hostIP: "127.0.0.1" }],
          readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 },
          resources: { limits: { memory: "64Mi", cpu: "500m" } },
          env: [
            { name: "GREETING", value: "hi $(POD_NAME)" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "MODE", valueFrom: { configMapKeyRef: { name: "site", key: "mode" } } },
            { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
          ],
        }),
        container("client", "while true; do wget -q -O /shared/fetched.tmp http://127.0.0.1:8080/index.html && mv /shared/fetched.tmp /shared/fetched; sleep 0.3; done", {
          volumeMounts: [{ name: "shared", mountPath: "/shared" }],
        }),
      ],
    });
    const uid = web.metadata.uid!;
    h.desire({ pods: [web], configMaps: [configMap], secrets: [secret] });
    h.runtime.start();

    const ready = await waitFor("the pod to be Ready", () => condition(h.status(uid), "Ready") === "True" && h.status(uid));
    expect(ready.phase).toBe("Running");
    expect(ready.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ready.containerStatuses?.map((c) => [c.name, c.ready, c.restartCount])).toEqual([
      ["server", true, 0],
      ["client", true, 0],
    ]);

    const containers = await podContainers(h.nodeName, uid);
    const byName = (name: string) => containers.find((c) => c.Config.Labels["io.kubeflare.container.name"] === name);
    const sandbox = byName("POD");
    const server = byName("server");
    const client = byName("client");

    // The client reached the server on localhost: they share the sandbox's network namespace.
    const fetched = await waitFor("the client to fetch the page over localhost", () =>
      docker("exec", client.Id, "cat", "/shared/fetched").catch(() => ""),
    );
    expect(fetched).toBe("hello from a configmap");
    expect(server.HostConfig.NetworkMode).toBe(`container:${sandbox.Id}`);
    expect(client.HostConfig.NetworkMode).toBe(`container:${sandbox.Id}`);
    // One pod IP, reachable from the node, and the hostPort published on the node's loopback.
    expect(await httpGet(`http://${ready.podIP}:8080/index.html`)).toBe("hello from a configmap\n");
    expect(await httpGet(`http://127.0.0.1:${hostPort}/index.html`)).toBe("hello from a configmap\n");
    expect(sandbox.HostConfig.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }] });

    expect(server.Config.Env).toEqual(
      expect.arrayContaining([
        `GREETING=hi $(POD_NAME)`,
        `POD_NAME=${web.metadata.name}`,
        `POD_IP=${ready.podIP}`,
        "MODE=fast",
        "PASSWORD=s3cret",
      ]),
    );
    expect(server.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(server.HostConfig.NanoCpus).toBe(500_000_000);
    expect(server.Config.Labels).toMatchObject({
      "io.kubeflare.node": h.nodeName,
      "io.kubeflare.pod.uid": uid,
      "io.kubeflare.pod.namespace": "default",
      "io.kubeflare.pod.name": web.metadata.name,
      "io.kubeflare.container.name": "server",
      "io.kubeflare.role": "app",
      "io.kubeflare.container.restart-count": "0",
    });
    expect(sandbox.Config.Labels["io.kubeflare.role"]).toBe("infra");
    expect(await docker("exec", server.Id, "cat", "/www/index.html")).toBe("hello from a configmap");

    // A ConfigMap edit reaches the running container's files.
    h.desire({
      pods: [web],
      configMaps: [{ ...configMap, data: { ...configMap.data, "index.html": "edited\n" } }],
      secrets: [secret],
    });
    await waitFor("the edited ConfigMap in the container", async () =>
      (await docker("exec", server.Id, "cat", "/www/index.html")) === "edited",
    );
    expect(h.events.map((e) => e.reason)).toEqual(expect.arrayContaining(["Pulled", "Created", "Started"]));
  });

  it("restarts a crashing container with a growing restartCount and CrashLoopBackOff, keeping only recent instances", async () => {
    const h = harness();
    const crasher = pod({ containers: [container("crash", "echo boom; exit 3")] });
    const uid = crasher.metadata.uid!;
    h.desire({ pods: [crasher] });
    h.runtime.start();

    await waitFor("three restarts", () => (h.status(uid)?.containerStatuses?.[0].restartCount ?? 0) >= 3);
    const waiting = h.statuses.map((s) => s.containerStatuses?.[0]).find((c) => c?.state?.waiting?.reason === "CrashLoopBackOff");
    expect(waiting?.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=crash pod=/);
    expect(waiting?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    const restartCounts = h.statuses.map((s) => s.containerStatuses?.[0].restartCount ?? 0);
    expect(restartCounts).toEqual([...restartCounts].sort((a, b) => a - b));
    expect(h.status(uid)?.phase).toBe("Running");
    expect(h.events.some((e) => e.reason === "BackOff")).toBe(true);

    const apps = (await podContainers(h.nodeName, uid)).filter((c) => c.Config.Labels["io.kubeflare.role"] === "app");
    expect(apps.length).toBeLessThanOrEqual(3);
  });

  it("runs init containers first and finishes a restartPolicy=Never pod as Succeeded, stopping its sandbox", async () => {
    const h = harness();
    const job = pod({
      restartPolicy: "Never",
      volumes: [{ name: "work", emptyDir: {} }],
      initContainers: [container("prepare", "echo prepared > /work/input", { volumeMounts: [{ name: "work", mountPath: "/work" }] })],
      containers: [container("main", "cat /work/input", { volumeMounts: [{ name: "work", mountPath: "/work" }] })],
    });
    const uid = job.metadata.uid!;
    h.desire({ pods: [job] });
    h.runtime.start();

    const done = await waitFor("the pod to succeed", () => h.status(uid)?.phase === "Succeeded" && h.status(uid));
    expect(done.initContainerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(done.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(condition(done, "Initialized")).toBe("True");
    expect(h.statuses.some((s) => s.containerStatuses?.[0].state?.waiting?.reason === "PodInitializing")).toBe(true);
    await waitFor("the sandbox to stop", async () => {
      const sandbox = (await podContainers(h.nodeName, uid)).find((c) => c.Config.Labels["io.kubeflare.role"] === "infra");
      return sandbox && !sandbox.State.Running;
    });
    const main = (await podContainers(h.nodeName, uid)).find((c) => c.Config.Labels["io.kubeflare.container.name"] === "main");
    expect(await docker("logs", main.Id)).toBe("prepared");
  });

  it("stops a deleted pod gracefully (SIGTERM first), removes its containers and volumes, then deletes the Pod object", async () => {
    const h = harness();
    const hostDir = await mkdtemp(join(tmpdir(), "kubeflare-term-"));
    const graceful = pod({
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: "out", hostPath: { path: hostDir } }],
      containers: [
        container("app", "trap 'echo got SIGTERM > /out/signal; exit 0' TERM; while true; do sleep 0.1; done", {
          volumeMounts: [{ name: "out", mountPath: "/out" }],
        }),
      ],
    });
    const uid = graceful.metadata.uid!;
    h.desire({ pods: [graceful] });
    h.runtime.start();
    await waitFor("the pod to run", () => h.status(uid)?.containerStatuses?.[0].state?.running);

    h.desire({ pods: [{ ...graceful, metadata: { ...graceful.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 } }] });
    await waitFor("the Pod object deletion", () => h.deleted.length > 0);
    expect(await readFile(join(hostDir, "signal"), "utf8")).toBe("got SIGTERM\n");
    expect(h.deleted.map((p) => p.metadata.uid)).toEqual([uid]);
    expect(await podContainers(h.nodeName, uid)).toEqual([]);
    await expect(stat(join(h.stateDir, "pods", uid))).rejects.toThrow();
    expect(h.events.some((e) => e.reason === "Killing" && e.message === "Stopping container app")).toBe(true);
    await rm(hostDir, { recursive: true, force: true });
  });

  it("adopts running containers after an agent restart, ignores other nodes, and removes pods no longer assigned", async () => {
    const first = harness();
    const sleeper = pod({ terminationGracePeriodSeconds: 2, containers: [container("sleep", "sleep 3600")] });
    const uid = sleeper.metadata.uid!;
    first.desire({ pods: [sleeper] });
    first.runtime.start();
    await waitFor("the pod to run", () => first.status(uid)?.containerStatuses?.[0].state?.running);
    const before = (await podContainers(first.nodeName, uid)).map((c) => c.Id).sort();
    await first.runtime.stop();

    // Another agent on the same Docker host, for another node, with nothing to run.
    const neighbour = harness();
    neighbour.desire({ pods: [] });
    await neighbour.runtime.syncOnce();

    // The same node's agent again, fresh memory, same desired state.
    const second = harness({}, first.nodeName);
    second.desire({ pods: [sleeper] });
    for (let i = 0; i < 3; i++) await second.runtime.syncOnce();
    const after = (await podContainers(first.nodeName, uid)).map((c) => c.Id).sort();
    expect(after).toEqual(before);
    expect(second.status(uid)?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, state: { running: {} } });

    // Unassigned: the pod leaves the desired state and its containers go.
    second.desire({ pods: [] });
    second.runtime.start();
    await waitFor("the unassigned pod's containers to be removed", async () => (await podContainers(first.nodeName, uid)).length === 0);
    expect(second.deleted).toEqual([]);
  });

  it("never plans from a look at Docker taken while the pod's own work was still changing its containers", async () => {
    // A sync's observation that began before a pod's work ended, and arrives after it: the pod's
    // containers as they were before that work. Planning from it would create the sandbox twice.
    const docker = new DockerClient();
    const lines: string[] = [];
    const h = harness({ docker, log: (line) => lines.push(line) });
    const sleeper = pod({ containers: [container("sleep", "sleep 3600")] });
    const uid = sleeper.metadata.uid!;
    const busy = (h.runtime as unknown as { busy: Map<string, unknown> }).busy;
    const list = docker.listContainers.bind(docker);
    const create = docker.createContainer.bind(docker);
    let nodeLabels: string[] = [];
    let staleLook: Promise<ContainerSummary[]> | undefined;
    let staleLooksServed = 0;
    docker.listContainers = async (labels) => {
      nodeLabels = labels;
      if (!staleLook || staleLooksServed > 0) return list(labels);
      staleLooksServed++;
      const summaries = await staleLook;
      await waitFor("the pod's work to end", () => !busy.has(uid), 30_000);
      return summaries;
    };
    docker.createContainer = async (name, body) => {
      if (!staleLook) {
        // Docker as it is before the pod's first container exists, handed to the next sync once the work is over.
        staleLook = list(nodeLabels);
        await staleLook;
        h.runtime.requestSync();
      }
      return create(name, body);
    };
    h.desire({ pods: [sleeper] });
    h.runtime.start();
    await waitFor("the pod to run", () => h.status(uid)?.containerStatuses?.[0].state?.running);
    await waitFor("the stale look to be served", () => staleLooksServed === 1);
    // A few more syncs (resync every second) over the containers as they now are.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(lines.filter((line) => line.includes(`default/${sleeper.metadata.name}:`))).toEqual([]);
    const roles = (await podContainers(h.nodeName, uid)).map((c) => c.Config.Labels["io.kubeflare.role"]).sort();
    expect(roles).toEqual(["app", "infra"]);
  });

  it("restarts a container whose liveness probe fails and reports readiness from its readiness probe", async () => {
    const h = harness();
    const flaky = pod({
      containers: [
        container("app", "touch /healthy; sleep 2; rm /healthy; exec sleep 3600", {
          livenessProbe: { exec: { command: ["cat", "/healthy"] }, periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: 2 },
          readinessProbe: { exec: { command: ["cat", "/healthy"] }, periodSeconds: 1 },
        }),
      ],
    });
    const uid = flaky.metadata.uid!;
    h.desire({ pods: [flaky] });
    h.runtime.start();

    await waitFor("a liveness restart", () => (h.status(uid)?.containerStatuses?.[0].restartCount ?? 0) >= 1, 90_000);
    expect(h.statuses.some((s) => s.containerStatuses?.[0].ready === true)).toBe(true);
    expect(h.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: "Unhealthy", message: expect.stringMatching(/^Liveness probe failed: /) }),
        { reason: "Killing", message: "Container app failed liveness probe, will be restarted" },
      ]),
    );
  });

  it("reports image problems: ErrImageNeverPull, and ErrImagePull then ImagePullBackOff", async () => {
    const h = harness({ backoff: { baseMs: 2_000, maxMs: 2_000 } });
    const never = pod({ containers: [{ name: "app", image: "kubeflare/not-here:1", imagePullPolicy: "Never" }] });
    // A registry on the node's loopback that is not there: the pull fails without leaving the machine.
    const unpullable = pod({ containers: [{ name: "app", image: "127.0.0.1:1/nothing:1", imagePullPolicy: "IfNotPresent" }] });
    h.desire({ pods: [never, unpullable] });
    h.runtime.start();

    const neverWaiting = await waitFor("ErrImageNeverPull", () => {
      const waiting = h.status(never.metadata.uid!)?.containerStatuses?.[0].state?.waiting;
      return waiting?.reason === "ErrImageNeverPull" && waiting;
    });
    expect(neverWaiting).toEqual({
      reason: "ErrImageNeverPull",
      message: 'Container image "kubeflare/not-here:1" is not present with pull policy of Never',
    });
    await waitFor("ImagePullBackOff", () =>
      h.status(unpullable.metadata.uid!)?.containerStatuses?.[0].state?.waiting?.reason === "ImagePullBackOff",
    );
    const reasons = h.statuses.map((s) => s.containerStatuses?.[0].state?.waiting?.reason);
    expect(reasons).toContain("ErrImagePull");
    expect(h.status(unpullable.metadata.uid!)?.phase).toBe("Pending");
    expect(h.events.some((e) => e.reason === "Failed" && e.message.startsWith('Failed to pull image "127.0.0.1:1/nothing:1"'))).toBe(true);
  });

  it("serves logs with tail, timestamps, follow, limitBytes and previous", async () => {
    const h = harness({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const talker = pod({
      containers: [
        container("talk", "i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo line $i; done; while true; do i=$((i+1)); echo line $i; sleep 0.2; done"),
        container("once", "echo first life; exit 1"),
      ],
    });
    const uid = talker.metadata.uid!;
    h.desire({ pods: [talker] });
    h.runtime.start();
    // "once" crashed, restarted at once, crashed again and now waits out a long backoff.
    await waitFor("the second instance of the crashing container", () => h.status(uid)?.containerStatuses?.[1].state?.waiting?.reason === "CrashLoopBackOff");
    await waitFor("some log lines", () => (h.status(uid)?.containerStatuses?.[0].state?.running ? true : false));

    const readLogs = async (name: string, options: LogOptions, stopAfter?: (text: string) => boolean) => {
      const observed = await h.runtime.observeNow();
      const target = selectLogTarget({
        pod: talker,
        podName: talker.metadata.name!,
        containerName: name,
        previous: !!options.previous,
        instances: (n) => h.runtime.containerInstances(uid, n, observed),
        status: h.status(uid),
      });
      if (!target.ok) throw new Error(target.message);
      const abort = new AbortController();
      const stream = await openLogStream(h.runtime.docker, target, options, abort.signal);
      let text = "";
      await new Promise<void>((resolve) => {
        stream.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (stopAfter?.(text)) {
            abort.abort();
            resolve();
          }
        });
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", () => resolve());
      });
      return text;
    };

    await waitFor("eight lines", async () => (await readLogs("talk", {})).split("\n").length > 8);
    const tail = (await readLogs("talk", { tailLines: 2 })).trimEnd().split("\n");
    expect(tail).toHaveLength(2);
    expect(Number(tail[1].split(" ")[1])).toBe(Number(tail[0].split(" ")[1]) + 1);

    const stamped = (await readLogs("talk", { tailLines: 3, timestamps: true })).trimEnd().split("\n");
    for (const line of stamped) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line \d+$/);

    const limited = await readLogs("talk", { limitBytes: 10 });
    expect(limited).toBe("line 1\nlin");

    const followed = await readLogs("talk", { follow: true, tailLines: 1 }, (text) => text.split("\n").length > 3);
    const numbers = followed.trimEnd().split("\n").map((line) => Number(line.split(" ")[1]));
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));

    expect(await readLogs("once", { previous: true })).toBe("first life\n");
    expect(await readLogs("once", {})).toBe("first life\n");
  });
});
