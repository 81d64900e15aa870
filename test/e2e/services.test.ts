/**
 * Service traffic end to end: wrangler dev, two real agents acting as two
 * nodes on this machine's Docker, the real kubectl, busybox httpd pods that
 * serve their own hostname. A pod on node A reaches a Service whose only
 * endpoint runs on node B (through B's relay), a NodePort spreads over every
 * replica, a rolling update under a steady request loop loses nothing,
 * Ingress routes by host and path, and headless/ExternalName Services
 * resolve in cluster DNS.
 *
 * The cluster gets its own Service range and node port window, so agents of
 * other clusters running on this host at the same time never share an
 * address or port with it.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:http";
import { connect, createServer } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerContainers, removeNodeContainers, startAgentProcess, type AgentProcess } from "../support/agents.js";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { ensureTestImage, requireDocker } from "../support/images.js";

const run = promisify(execFile);
const suffix = Math.random().toString(36).slice(2, 7);
const NS = `svc-${suffix}`;
const NODE_A = `svc-a-${suffix}`;
const NODE_B = `svc-b-${suffix}`;
const SERVICE_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
const NODE_PORT_BASE = 30000 + 100 * Math.floor(Math.random() * 27);
const NODE_PORT_RANGE = `${NODE_PORT_BASE}-${NODE_PORT_BASE + 99}`;

let cp: ControlPlane;
let k: ReturnType<typeof kubectlFor>;
const agents: AgentProcess[] = [];
const ingressPorts: Record<string, number> = {};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One GET on a fresh connection (so every request is balanced anew); the body, or the error code. */
function get(port: number, path = "/", host?: string, timeoutMs = 5_000): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, headers: host ? { Host: host } : {} }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on("error", (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/**
 * An HTTP GET from inside the client pod. The test image's static busybox
 * wget crashes there (a FROM-scratch image), so the request is written with
 * nc; the body (after the header) is returned.
 */
async function getInClient(ip: string, port: number): Promise<string> {
  // busybox nc exits as soon as its input ends, answer or not: keep the input open until the answer is in.
  const out = await inClient("sh", "-c", `(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 1) | nc -w 3 ${ip} ${port} 2>&1`);
  const split = out.indexOf("\r\n\r\n");
  return split >= 0 ? out.slice(split + 4).trim() : out;
}

const bodyOf = (r: Awaited<ReturnType<typeof get>>) => ("body" in r && r.status === 200 ? r.body : undefined);

/** Runs a command inside the client pod's container (the test created it). */
async function inClient(...command: string[]): Promise<string> {
  const [container] = dockerContainers({ "io.kubeflare.pod.name": "client", "io.kubeflare.pod.namespace": NS, "io.kubeflare.container.name": "client" }).filter(
    (c) => c.state === "running",
  );
  if (!container) throw new Error("client container not running");
  const { stdout, stderr } = await run("docker", ["exec", container.id, ...command], { timeout: 15_000 }).catch((e) => e);
  return `${stdout ?? ""}${stderr ?? ""}`.trim();
}

const serveHostname = `["sh", "-c", "mkdir -p /www /www/a /www/b && hostname > /www/index.html && cp /www/index.html /www/a/index.html && cp /www/index.html /www/b/index.html && exec httpd -f -p 80 -h /www"]`;

function deployment(name: string, replicas: number, extra = ""): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: ${replicas}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 10
${extra}      containers:
      - name: httpd
        image: kubeflare/busybox:test
        imagePullPolicy: Never
        command: ${serveHostname}
        ports: [{containerPort: 80, name: http}]
        readinessProbe:
          tcpSocket: {port: 80}
          periodSeconds: 1
`;
}

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
${deployment("solo", 1, `      nodeSelector: {kubernetes.io/hostname: ${NODE_B}}\n`)}
---
apiVersion: v1
kind: Service
metadata: {name: solo, namespace: ${NS}}
spec:
  selector: {app: solo}
  ports: [{port: 8080, targetPort: http}]
---
${deployment("web", 3)}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: nothing, namespace: ${NS}}
spec:
  type: NodePort
  selector: {app: no-such-pods}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky, namespace: ${NS}}
spec:
  type: NodePort
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: ${NS}}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: ${NS}}
spec:
  type: ExternalName
  externalName: solo.${NS}.svc.cluster.local
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: routes, namespace: ${NS}}
spec:
  rules:
  - host: one.${suffix}.test
    http:
      paths:
      - {path: /a, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /b, pathType: Prefix, backend: {service: {name: solo, port: {number: 8080}}}}
  - host: two.${suffix}.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: solo, port: {number: 8080}}}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NS}}
spec:
  nodeSelector: {kubernetes.io/hostname: ${NODE_A}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: kubeflare/busybox:test
    imagePullPolicy: Never
    command: ["sleep", "3600"]
`;

async function service(name: string): Promise<any> {
  return JSON.parse((await k.run(["get", "service", name, "-n", NS, "-o", "json"])).stdout);
}

async function podNames(app: string): Promise<string[]> {
  const list = JSON.parse((await k.run(["get", "pods", "-n", NS, "-l", `app=${app}`, "-o", "json"])).stdout);
  return list.items
    .filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"))
    .map((p: any) => p.metadata.name)
    .sort();
}

/** Speaks the relay protocol to a node's relay directly: the preamble, then an HTTP request. */
function throughRelay(relayPort: number, ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: relayPort });
    let text = "";
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on("connect", () => socket.write(`KFRELAY1 ${ip} ${port}\nGET / HTTP/1.0\r\n\r\n`));
    socket.on("data", (d) => (text += d));
    socket.on("close", () => resolve(text));
    socket.on("error", () => {});
  });
}

describe("Service traffic across two nodes", () => {
  beforeAll(async () => {
    await requireDocker();
    await ensureTestImage();
    cp = await startControlPlane({ vars: { SERVICE_CIDR, SERVICE_NODE_PORT_RANGE: NODE_PORT_RANGE } });
    k = kubectlFor(cp);
    for (const name of [NODE_A, NODE_B]) {
      ingressPorts[name] = await freePort();
      agents.push(
        await startAgentProcess(cp, name, {
          KUBEFLARE_SERVICE_CIDR: SERVICE_CIDR,
          KUBEFLARE_RELAY_PORT: "0",
          KUBEFLARE_INGRESS_HTTP_PORT: String(ingressPorts[name]),
          KUBEFLARE_INGRESS_HTTPS_PORT: String(await freePort()),
          KUBEFLARE_DRAIN_SECONDS: "2",
        }),
      );
    }
    await eventually(async () => {
      const nodes = JSON.parse((await k.run(["get", "nodes", "-o", "json"])).stdout).items as any[];
      return [NODE_A, NODE_B].every((n) => nodes.some((node) => node.metadata.name === n && node.status?.daemonEndpoints?.kubeletEndpoint?.Port > 0));
    }, 60_000);
    const applied = await k.run(["apply", "-f", "-"], manifests);
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(async () => (await podNames("web")).length === 3 && (await podNames("solo")).length === 1, 120_000, 500);
    await eventually(async () => (await inClient("true")) === "", 60_000, 500);
  }, 240_000);

  afterAll(async () => {
    // For a failed run: what the agents said (SERVICES_E2E_LOGS=dir keeps it).
    if (process.env.SERVICES_E2E_LOGS) for (const agent of agents) writeFileSync(join(process.env.SERVICES_E2E_LOGS, `${agent.name}.log`), agent.output());
    await k?.run(["delete", "namespace", NS, "--wait=false"]).catch(() => {});
    for (const agent of agents) await agent.kill();
    removeNodeContainers([NODE_A, NODE_B]);
    if (cp) {
      await cp.stop();
      removeState(cp.stateDir);
    }
  }, 120_000);

  it("a pod on node A reaches a Service whose only endpoint is on node B, by ClusterIP", async () => {
    const solo = await service("solo");
    const [soloPod] = await podNames("solo");
    expect(solo.spec.clusterIP).toMatch(/^10\./);
    const body = await eventually(async () => {
      const out = await getInClient(solo.spec.clusterIP, 8080);
      return out === soloPod ? out : undefined;
    }, 30_000, 500);
    expect(body).toBe(soloPod);
    const pods = JSON.parse((await k.run(["get", "pods", "-n", NS, "-o", "json"])).stdout).items as any[];
    expect(pods.find((p) => p.metadata.name === soloPod).spec.nodeName).toBe(NODE_B);
    expect(pods.find((p) => p.metadata.name === "client").spec.nodeName).toBe(NODE_A);
  });

  it("node B's relay carries a connection to its own pod, and refuses anything that is not a local endpoint", async () => {
    const nodes = JSON.parse((await k.run(["get", "nodes", "-o", "json"])).stdout).items as any[];
    const relayPort = nodes.find((n) => n.metadata.name === NODE_B).status.daemonEndpoints.kubeletEndpoint.Port;
    const pods = JSON.parse((await k.run(["get", "pods", "-n", NS, "-l", "app=solo", "-o", "json"])).stdout).items as any[];
    const solo = pods.find((p) => !p.metadata.deletionTimestamp);
    const answer = await throughRelay(relayPort, solo.status.podIP, 80);
    expect(answer.startsWith("OK\n")).toBe(true);
    expect(answer.trim().endsWith(solo.metadata.name)).toBe(true);
    expect(await throughRelay(relayPort, solo.status.podIP, 22)).toMatch(/^ERR .*not a pod endpoint on this node/);
  });

  it("names resolve in cluster DNS: <svc>, <svc>.<ns>, <svc>.<ns>.svc.cluster.local reach the Service from a pod", async () => {
    const solo = await service("solo");
    const [soloPod] = await podNames("solo");
    for (const name of ["solo", `solo.${NS}`, `solo.${NS}.svc.cluster.local`]) {
      const body = await eventually(async () => ((await getInClient(name, 8080)) === soloPod ? soloPod : undefined), 20_000, 500).catch(
        async () => `failed; last: ${await getInClient(name, 8080)}; resolv.conf: ${await inClient("cat", "/etc/resolv.conf")}`,
      );
      expect(body, name).toBe(soloPod);
    }
    expect(await inClient("nslookup", `solo.${NS}.svc.cluster.local`)).toContain(solo.spec.clusterIP);
  });

  it("a headless Service resolves to the ready pod IPs, an ExternalName Service to its name", async () => {
    const pods = JSON.parse((await k.run(["get", "pods", "-n", NS, "-l", "app=web", "-o", "json"])).stdout).items as any[];
    const ips = pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.status.podIP);
    const headless = await eventually(async () => {
      const out = await inClient("nslookup", `headless.${NS}.svc.cluster.local`);
      return ips.every((ip) => out.includes(ip)) ? out : undefined;
    }, 20_000, 500);
    expect(headless).not.toContain((await service("web")).spec.clusterIP);
    const ext = await inClient("nslookup", `ext.${NS}.svc.cluster.local`);
    expect(ext).toContain(`solo.${NS}.svc.cluster.local`);
  });

  it("Ingress routes two hosts and two paths to two Services, on every node", async () => {
    const replicas = await podNames("web");
    const [soloPod] = await podNames("solo");
    for (const port of Object.values(ingressPorts)) {
      await eventually(async () => bodyOf(await get(port, "/b/", `one.${suffix}.test`)) === soloPod, 20_000, 300);
      expect(replicas).toContain(bodyOf(await get(port, "/a/", `one.${suffix}.test`)));
      expect(bodyOf(await get(port, "/", `two.${suffix}.test`))).toBe(soloPod);
      expect(await get(port, "/", `three.${suffix}.test`)).toMatchObject({ status: 404 });
    }
  });

  it("sessionAffinity: ClientIP keeps a client on one replica", async () => {
    const nodePort = (await service("sticky")).spec.ports[0].nodePort;
    const first = await eventually(async () => bodyOf(await get(nodePort)), 20_000, 300);
    for (let i = 0; i < 10; i++) expect(bodyOf(await get(nodePort))).toBe(first);
  });

  it("curl 127.0.0.1:<nodePort> hits every replica over repeated requests, on either node's listener", async () => {
    const web = await service("web");
    const nodePort = web.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(NODE_PORT_BASE);
    const replicas = await podNames("web");
    const seen = new Set<string>();
    await eventually(async () => {
      for (let i = 0; i < 12; i++) {
        const body = bodyOf(await get(nodePort));
        if (body) seen.add(body);
      }
      return seen.size === replicas.length;
    }, 30_000, 200);
    expect([...seen].sort()).toEqual(replicas);
  });

  it("a Service selecting nothing refuses connections at once instead of hanging", async () => {
    const nothing = await service("nothing");
    const endpoints = JSON.parse((await k.run(["get", "endpoints", "nothing", "-n", NS, "-o", "json"])).stdout);
    expect(endpoints.subsets ?? []).toEqual([]);
    const answer = await get(nothing.spec.ports[0].nodePort, "/", undefined, 3_000);
    expect(answer).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED|ECONNRESET/) });
    const out = await getInClient(nothing.spec.clusterIP, 80);
    expect(out).toMatch(/refused/i);
  });

  it("a rolling update under a steady, bounded request loop loses no request", async () => {
    const nodePort = (await service("web")).spec.ports[0].nodePort;
    const before = await podNames("web");
    const results: { ok: boolean; detail: string }[] = [];
    let rolling = true;
    const loop = (async () => {
      const deadline = Date.now() + 90_000;
      while ((rolling || results.length < 20) && Date.now() < deadline && results.length < 5_000) {
        const answer = await get(nodePort);
        results.push({ ok: bodyOf(answer) !== undefined, detail: JSON.stringify(answer) });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const patched = await k.run(["set", "env", "deployment/web", "-n", NS, `ROLL=${Date.now()}`]);
    expect(patched.code, patched.stderr).toBe(0);
    const status = await k.run(["rollout", "status", "deployment/web", "-n", NS, "--timeout=80s"], undefined, 90_000);
    rolling = false;
    await loop;
    expect(status.code, status.stderr).toBe(0);
    const after = await podNames("web");
    expect(after.some((name) => before.includes(name))).toBe(false);
    const failed = results.filter((r) => !r.ok);
    expect(results.length).toBeGreaterThan(50);
    expect(failed.map((r) => r.detail)).toEqual([]);
  }, 120_000);
});
