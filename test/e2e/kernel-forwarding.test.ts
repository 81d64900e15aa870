/**
 * The service proxy's in-kernel fast path, on this machine's real iptables
 * and Docker: a NodePort and a ClusterIP whose endpoints all run on the node
 * are forwarded by NAT rules (their packet counters move, both replicas
 * answer), the rules keep forwarding while the agent is SIGKILLed, a later
 * agent of this host clears a dead agent's rules, a restarted agent takes its
 * own back, a userspace-mode agent writes none, rules flushed by something
 * else come back, and a clean stop leaves nothing behind.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainNames, renderRemoval } from "../../agent/src/network/kernel-rules.js";
import { dockerContainers, removeNodeContainers, startAgentProcess, type AgentProcess } from "../support/agents.js";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { ensureTestImage, requireDocker } from "../support/images.js";

const run = promisify(execFile);
const suffix = Math.random().toString(36).slice(2, 7);
const NS = `kfwd-${suffix}`;
const NODE = `kfwd-a-${suffix}`;
const LATER = `kfwd-c-${suffix}`;
const USERSPACE = `kfwd-u-${suffix}`;
const SERVICE_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
const NODE_PORT_BASE = 30000 + 100 * Math.floor(Math.random() * 27);

let cp: ControlPlane;
let k: ReturnType<typeof kubectlFor>;
const agents: AgentProcess[] = [];
let nodePort = 0;
let clusterIP = "";

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: kubeflare/busybox:test
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
        readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`;

const natRules = () => execFileSync("iptables-save", ["-c", "-t", "nat"], { encoding: "utf8" });
const filterRules = () => execFileSync("iptables-save", ["-t", "filter"], { encoding: "utf8" });
const ownerOf = (node: string) => chainNames(node).owner;
const hasChains = (node: string) => natRules().includes(`KF-SVC-${ownerOf(node)}`) || filterRules().includes(`KF-FWD-${ownerOf(node)}`);

/** Packets counted by `node`'s DNAT rules so far. */
function dnatPackets(node: string): number {
  let total = 0;
  for (const line of natRules().split("\n")) {
    const match = /^\[(\d+):\d+\] -A KF-SEP-(\w+)-\w+ .*-j DNAT/.exec(line);
    if (match && match[2] === ownerOf(node)) total += Number(match[1]);
  }
  return total;
}

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: "/", agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
    });
    req.setTimeout(3_000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: Error & { code?: string }) => resolve(e.code ?? e.message));
    req.end();
  });
}

async function readyPods(): Promise<string[]> {
  const list = JSON.parse((await k.run(["get", "pods", "-n", NS, "-o", "json"])).stdout);
  return list.items.filter((p: any) => p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")).map((p: any) => p.metadata.name);
}

describe("in-kernel Service forwarding (iptables)", () => {
  beforeAll(async () => {
    await requireDocker();
    await ensureTestImage();
    cp = await startControlPlane({ vars: { SERVICE_CIDR, SERVICE_NODE_PORT_RANGE: `${NODE_PORT_BASE}-${NODE_PORT_BASE + 99}` } });
    k = kubectlFor(cp);
    agents.push(await startAgentProcess(cp, NODE, { KUBEFLARE_SERVICE_CIDR: SERVICE_CIDR, KUBEFLARE_RELAY_PORT: "0", KUBEFLARE_INGRESS_HTTP_PORT: "0", KUBEFLARE_INGRESS_HTTPS_PORT: "0" }));
    await eventually(async () => (await k.run(["get", "node", NODE])).code === 0, 60_000);
    const applied = await k.run(["apply", "-f", "-"], manifests);
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(async () => (await readyPods()).length === 2, 120_000, 500);
    const service = JSON.parse((await k.run(["get", "service", "web", "-n", NS, "-o", "json"])).stdout);
    nodePort = service.spec.ports[0].nodePort;
    clusterIP = service.spec.clusterIP;
  }, 240_000);

  afterAll(async () => {
    await k?.run(["delete", "namespace", NS, "--wait=false"]).catch(() => {});
    for (const agent of agents) await agent.kill();
    removeNodeContainers([NODE, LATER, USERSPACE]);
    if (cp) {
      await cp.stop();
      removeState(cp.stateDir);
    }
  }, 120_000);

  it("forwards the NodePort and the ClusterIP of pods on this node in the kernel, spreading over both replicas", async () => {
    const owner = ownerOf(NODE);
    await eventually(async () => natRules().includes(`--dport ${nodePort} -j KF-SEP-${owner}-`), 30_000);
    expect(natRules()).toMatch(new RegExp(`-A KF-SVC-${owner} -d ${clusterIP.replace(/\./g, "\\.")}/32 -p tcp -m tcp --dport 80 -j KF-SEP-${owner}-`));
    const before = dnatPackets(NODE);
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add(await get("127.0.0.1", nodePort));
    expect([...answers].sort()).toEqual((await readyPods()).sort());
    // The new connections went through the DNAT rules (first packet of each), not around them.
    expect(dnatPackets(NODE) - before).toBeGreaterThanOrEqual(20);
    // Also from the host to the ClusterIP.
    expect((await readyPods()).includes(await get(clusterIP, 80))).toBe(true);
  });

  it("a pod reaches its own Service by ClusterIP (hairpin: left to the userspace listener)", async () => {
    const [container] = dockerContainers({ "io.kubeflare.pod.namespace": NS, "io.kubeflare.container.name": "httpd" }).filter((c) => c.state === "running");
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) {
      // busybox nc exits as soon as its input ends: keep it open until the answer is in.
      const { stdout } = await run("docker", ["exec", container.id, "sh", "-c", `(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 1) | nc -w 3 ${clusterIP} 80`], { timeout: 15_000 });
      answers.add(stdout.slice(stdout.indexOf("\r\n\r\n") + 4).trim());
    }
    // With two replicas and equal random shares, 8 tries include the pod itself (the hairpin case) but for a 1-in-256 chance;
    // a hairpin connection DNATed in the kernel would get no answer (the bridge port does not send a frame back).
    expect([...answers].every((answer) => answer !== "")).toBe(true);
    expect([...answers].every((answer) => answer.startsWith("web-"))).toBe(true);
  });

  it("keeps forwarding while the agent is SIGKILLed; a later agent of this host clears the dead one's rules; a restart takes them back", async () => {
    const [agent] = agents;
    await agent.kill("SIGKILL");
    expect(hasChains(NODE)).toBe(true);
    expect((await readyPods()).includes(await get("127.0.0.1", nodePort))).toBe(true);

    // A userspace-mode agent writes no rules and clears none.
    agents.push(await startAgentProcess(cp, USERSPACE, { KUBEFLARE_SERVICE_CIDR: SERVICE_CIDR, KUBEFLARE_RELAY_PORT: "0", KUBEFLARE_PROXY_MODE: "userspace", KUBEFLARE_INGRESS_HTTP_PORT: "0", KUBEFLARE_INGRESS_HTTPS_PORT: "0" }));
    await eventually(async () => agents[1].output().includes("service proxy on:"), 30_000);
    expect(agents[1].output()).toContain("forwarded in userspace");
    expect(hasChains(USERSPACE)).toBe(false);
    expect(hasChains(NODE)).toBe(true);

    agents.push(await startAgentProcess(cp, LATER, { KUBEFLARE_SERVICE_CIDR: SERVICE_CIDR, KUBEFLARE_RELAY_PORT: "0", KUBEFLARE_INGRESS_HTTP_PORT: "0", KUBEFLARE_INGRESS_HTTPS_PORT: "0" }));
    // Any agent that starts on this host clears a dead one's rules: usually the later one, but an agent of a test file
    // running alongside may get there first (kernel-proxy.test.ts checks the clearing and its log line on their own).
    await eventually(async () => !hasChains(NODE) && hasChains(LATER), 30_000);

    await agent.restart();
    await eventually(async () => natRules().includes(`--dport ${nodePort} -j KF-SEP-${ownerOf(NODE)}-`), 60_000);
    await eventually(async () => (await readyPods()).includes(await get("127.0.0.1", nodePort)), 30_000);
  });

  it("writes its rules again after something else flushed them (a firewall reload)", async () => {
    const saved = `${execFileSync("iptables-save", ["-t", "nat"], { encoding: "utf8" })}\n${filterRules()}`;
    execFileSync("iptables-restore", ["--noflush", "--wait", "5"], { input: renderRemoval(saved, new Set([ownerOf(NODE)])) });
    expect(hasChains(NODE)).toBe(false);
    // Checked every 30 s; the userspace listener serves meanwhile.
    expect((await readyPods()).includes(await get("127.0.0.1", nodePort))).toBe(true);
    await eventually(async () => natRules().includes(`--dport ${nodePort} -j KF-SEP-${ownerOf(NODE)}-`), 60_000, 1_000);
    expect(agents[0].output()).toContain("removed by something else");
  }, 90_000);

  it("a clean stop removes the agent's rules", async () => {
    for (const agent of agents) await agent.kill("SIGTERM");
    for (const node of [NODE, LATER, USERSPACE]) expect(hasChains(node)).toBe(false);
  });
});
