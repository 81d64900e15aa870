import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Endpoints, Node, Service } from "../../../src/schema/core.js";
import { silentLogger } from "../log.js";
import type { KernelForward } from "./kernel-rules.js";
import { NodeRelay } from "./relay.js";
import { ServiceProxy, type ProxyView } from "./service-proxy.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A pod stand-in: answers every connection with its name. */
async function pod(name: string): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.end(`${name}\n`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function read(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("end", () => resolve(text.trim()));
    socket.on("error", (e: Error & { code?: string }) => resolve(e.code ?? e.message));
  });
}

function view(services: Service[], endpoints: Endpoints[], nodes: Node[] = []): ProxyView {
  const key = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;
  return {
    clusterDomain: "cluster.local",
    services: () => services,
    service: (ns, name) => services.find((s) => key(s) === `${ns}/${name}`),
    endpoints: (ns, name) => endpoints.find((e) => key(e) === `${ns}/${name}`),
    allEndpoints: () => endpoints,
    ingresses: () => [],
    tlsSecret: () => undefined,
    nodes: () => nodes,
    node: (name) => nodes.find((n) => n.metadata.name === name),
    onChange: () => () => {},
  };
}

const nodePortService = (nodePort: number, extra: Partial<NonNullable<Service["spec"]>> = {}): Service => ({
  metadata: { name: "web", namespace: "default" },
  spec: { type: "NodePort", clusterIP: "10.96.0.50", ports: [{ port: 80, nodePort }], ...extra },
});
const endpointsOf = (addresses: { port: number; nodeName: string; ip?: string }[]): Endpoints => ({
  metadata: { name: "web", namespace: "default" },
  subsets: addresses.map((a) => ({ addresses: [{ ip: a.ip ?? "127.0.0.1", nodeName: a.nodeName }], ports: [{ port: a.port }] })),
});

function start(v: ProxyView, nodeName = "node-a"): ServiceProxy {
  const proxy = new ServiceProxy({ view: v, nodeName, nodeIP: "127.0.0.1", log: silentLogger, retryMs: 50 });
  proxy.start();
  cleanup.push(() => proxy.stop());
  return proxy;
}

describe("ServiceProxy over real sockets", () => {
  it("spreads NodePort connections over local and remote endpoints, the remote one through its node's relay", async () => {
    const [local, remote] = [await pod("local-pod"), await pod("remote-pod")];
    const relay = new NodeRelay({ host: "127.0.0.1", port: 0, allowTarget: (_ip, port) => port === remote, log: silentLogger });
    const relayPort = await relay.start();
    cleanup.push(() => relay.stop());
    const nodeB: Node = { metadata: { name: "node-b" }, status: { addresses: [{ type: "InternalIP", address: "127.0.0.1" }], daemonEndpoints: { kubeletEndpoint: { Port: relayPort } } } };
    const nodePort = await freePort();
    const proxy = start(view([nodePortService(nodePort)], [endpointsOf([{ port: local, nodeName: "node-a" }, { port: remote, nodeName: "node-b" }])], [nodeB]));
    await expect.poll(() => proxy.bound()).toContain(`0.0.0.0:${nodePort}`);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await read(nodePort));
    expect([...answers].sort()).toEqual(["local-pod", "remote-pod"]);
  });

  it("fails over from a refused endpoint, and dial() names why it cannot connect", async () => {
    const alive = await pod("alive");
    const dead = await freePort();
    const nodePort = await freePort();
    const proxy = start(view([nodePortService(nodePort)], [endpointsOf([{ port: dead, nodeName: "node-a" }, { port: alive, nodeName: "node-a" }])]));
    await expect.poll(() => proxy.bound().length).toBe(1);
    for (let i = 0; i < 3; i++) expect(await read(nodePort)).toBe("alive");
    const socket = await proxy.dial("default", "web", 80);
    socket.destroy();
    await expect(proxy.dial("default", "missing", 80)).rejects.toMatchObject({ code: "NO_SERVICE" });
    await expect(proxy.dial("default", "web", 81)).rejects.toMatchObject({ code: "NO_SERVICE" });
  });

  it("does not listen for a Service without endpoints, or without local ones under externalTrafficPolicy Local", async () => {
    const elsewhere = await pod("elsewhere");
    const [emptyPort, localPort] = [await freePort(), await freePort()];
    const empty: Service = { ...nodePortService(emptyPort), metadata: { name: "empty", namespace: "default" } };
    const local = nodePortService(localPort, { externalTrafficPolicy: "Local" });
    const proxy = start(view([empty, local], [endpointsOf([{ port: elsewhere, nodeName: "node-b" }])]));
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.bound()).toEqual([]);
    expect(await read(emptyPort)).toBe("ECONNREFUSED");
    expect(await read(localPort)).toBe("ECONNREFUSED");
    await expect(proxy.dial("default", "empty", 80)).rejects.toMatchObject({ code: "NO_ENDPOINTS" });
    // Internal traffic ignores externalTrafficPolicy: dial() goes for the remote endpoint, whose node publishes no relay here.
    await expect(proxy.dial("default", "web", 80)).rejects.toMatchObject({ code: "NO_ENDPOINTS", message: /publishes no relay/ });
  });

  it("knows which endpoints are pods on this node, for the relay", () => {
    const proxy = start(view([], [endpointsOf([{ port: 80, nodeName: "node-a", ip: "172.17.0.2" }, { port: 80, nodeName: "node-b", ip: "172.17.0.3" }])]));
    expect(proxy.isLocalEndpoint("172.17.0.2", 80)).toBe(true);
    expect(proxy.isLocalEndpoint("172.17.0.3", 80)).toBe(false);
    expect(proxy.isLocalEndpoint("172.17.0.2", 81)).toBe(false);
  });
});

describe("ServiceProxy and the in-kernel fast path", () => {
  function withKernel(v: ProxyView, nodeName = "node-a") {
    const applied: KernelForward[][] = [];
    const proxy = new ServiceProxy({ view: v, nodeName, nodeIP: "192.0.2.10", log: silentLogger, retryMs: 50, kernel: { apply: (f) => applied.push(f), retry: () => {}, stop: async () => {} } });
    proxy.sync();
    cleanup.push(() => proxy.stop());
    return applied.at(-1) ?? [];
  }

  it("hands the kernel each listener whose usable endpoints are all on this node", () => {
    const service = nodePortService(30080, { type: "LoadBalancer" });
    const forwards = withKernel(view([service], [endpointsOf([{ port: 8080, nodeName: "node-a", ip: "172.17.0.2" }, { port: 8080, nodeName: "node-a", ip: "172.17.0.3" }])]));
    expect(forwards.map((f) => [f.key, f.ip, f.port])).toEqual([
      ["0.0.0.0:30080", undefined, 30080],
      ["192.0.2.10:80", "192.0.2.10", 80],
    ]);
    expect(forwards[0].endpoints).toEqual([
      { ip: "172.17.0.2", port: 8080 },
      { ip: "172.17.0.3", port: 8080 },
    ]);
  });

  it("keeps in userspace what needs the relay or the balancer's memory", () => {
    const mixed = endpointsOf([{ port: 8080, nodeName: "node-a", ip: "172.17.0.2" }, { port: 8080, nodeName: "node-b", ip: "172.17.0.9" }]);
    expect(withKernel(view([nodePortService(30080)], [mixed]))).toEqual([]);
    const local = endpointsOf([{ port: 8080, nodeName: "node-a", ip: "172.17.0.2" }]);
    expect(withKernel(view([nodePortService(30080, { sessionAffinity: "ClientIP" })], [local]))).toEqual([]);
  });

  it("applies the traffic policy first: externalTrafficPolicy Local forwards the NodePort to the local endpoints only", () => {
    const mixed = endpointsOf([{ port: 8080, nodeName: "node-a", ip: "172.17.0.2" }, { port: 8080, nodeName: "node-b", ip: "172.17.0.9" }]);
    const forwards = withKernel(view([nodePortService(30080, { externalTrafficPolicy: "Local" })], [mixed]));
    expect(forwards).toEqual([{ key: "0.0.0.0:30080", ip: undefined, port: 30080, endpoints: [{ ip: "172.17.0.2", port: 8080 }] }]);
  });
});
