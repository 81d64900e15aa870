/**
 * The agent's kube-proxy. For every Service port it listens where clients
 * expect it — clusterIP:port (the ClusterIP being a local address, see
 * service-addresses.ts), 0.0.0.0:nodePort for NodePort and LoadBalancer
 * Services, and nodeIP:port for LoadBalancer Services (k3s ServiceLB style)
 * — and splices each accepted connection to one ready endpoint, chosen by
 * balancer.ts. Endpoints on this node are dialed directly; endpoints on other
 * nodes through that node's relay. A Service port with no usable endpoint is
 * not listened on at all, so clients get a clean connection refusal.
 *
 * Listeners whose usable endpoints are all on this node are also handed to
 * the in-kernel fast path (kernel-proxy.ts), whose NAT rules catch their
 * connections before they reach the listener; the listener stays as the
 * fallback.
 */
import type { Socket } from "node:net";
import type { Endpoints, Node, Service } from "../../../src/schema/core.js";
import type { Logger } from "../log.js";
import { affinityTimeoutMs, applyTrafficPolicy, backendsFor, Balancer, findServicePort, type Backend, type TrafficSource } from "./balancer.js";
import { ListenerSet, listenKey, type ListenSpec } from "./listeners.js";
import type { KernelForward } from "./kernel-rules.js";
import { dialDirect, dialThroughRelay, splice } from "./relay.js";
import type { ServiceAddresses } from "./service-addresses.js";
import type { BackendDialer, NetworkView } from "./view.js";

/** The catalog, plus the Endpoints list the relay needs to know which pods live here. */
export interface ProxyView extends NetworkView {
  allEndpoints(): Endpoints[];
  node(name: string): Node | undefined;
}

export interface ServiceProxyOptions {
  view: ProxyView;
  nodeName: string;
  /** The node's InternalIP: LoadBalancer ports are served there. */
  nodeIP: string;
  /** Makes ClusterIPs local; without it ClusterIP listeners are left out (tests, --no-proxy hosts). */
  addresses?: ServiceAddresses;
  /** Further addresses to make local with the ClusterIPs (the cluster DNS address). */
  extraAddresses?: string[];
  /** How often unbound listeners and service addresses are tried again. */
  retryMs?: number;
  /**
   * The in-kernel fast path (kernel-proxy.ts): Service ports whose usable
   * endpoints are all on this node are handed to it; without it every
   * connection goes through the userspace proxy.
   */
  kernel?: { apply(forwards: KernelForward[]): void; retry(): void; stop(): Promise<void> };
  log: Logger;
}

const ADDRESS_CHECK_TICKS = 5;

type ServicePort = NonNullable<NonNullable<Service["spec"]>["ports"]>[number];

export class NoEndpointsError extends Error {
  readonly code: "NO_ENDPOINTS" | "NO_SERVICE";
  constructor(code: "NO_ENDPOINTS" | "NO_SERVICE", message: string) {
    super(message);
    this.code = code;
  }
}

/** The relay address of a node: its InternalIP and the port it publishes as kubeletEndpoint. */
export function relayAddress(node: Node | undefined): { host: string; port: number } | undefined {
  const host = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const port = (node?.status?.daemonEndpoints as { kubeletEndpoint?: { Port?: number } } | undefined)?.kubeletEndpoint?.Port;
  return host && port ? { host, port } : undefined;
}

export const hasClusterIP = (service: Service) => !!service.spec?.clusterIP && service.spec.clusterIP !== "None";
const isTCP = (port: ServicePort) => (port.protocol ?? "TCP") === "TCP";

export class ServiceProxy implements BackendDialer {
  private readonly balancer = new Balancer();
  private readonly listeners: ListenerSet;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private localEndpoints = new Set<string>();
  private addressSync: Promise<void> = Promise.resolve();

  constructor(private readonly options: ServiceProxyOptions) {
    this.listeners = new ListenerSet(options.log);
  }

  start(): void {
    this.unsubscribe = this.options.view.onChange(() => this.sync());
    let ticks = 0;
    this.timer = setInterval(() => {
      // Addresses are re-asserted less often: each check runs `ip`, and they only go missing when another agent of this host stops.
      if (++ticks % ADDRESS_CHECK_TICKS === 0) this.syncAddresses();
      this.listeners.retry();
      this.options.kernel?.retry();
    }, this.options.retryMs ?? 1_000);
    this.timer.unref();
    this.sync();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    this.listeners.close();
    await this.options.kernel?.stop();
    await this.addressSync;
    await this.options.addresses?.cleanup();
  }

  /** Whether `ip:port` is an endpoint (ready or not) of a pod on this node: what the relay may connect to. */
  isLocalEndpoint(ip: string, port: number): boolean {
    return this.localEndpoints.has(`${ip}:${port}`);
  }

  /** Listener keys bound by this agent (for tests and logs). */
  bound(): string[] {
    return this.listeners.bound();
  }

  sync(): void {
    const { view, nodeName, nodeIP } = this.options;
    const wanted = new Map<string, ListenSpec>();
    const forwards: KernelForward[] = [];
    const keys = new Set<string>();
    for (const service of view.services()) {
      if (service.spec?.type === "ExternalName") continue;
      const namespace = service.metadata.namespace ?? "default";
      const name = service.metadata.name ?? "";
      const endpoints = view.endpoints(namespace, name);
      for (const port of service.spec?.ports ?? []) {
        if (!isTCP(port)) continue;
        keys.add(balanceKey(namespace, name, port.port));
        const ready = backendsFor(endpoints, port);
        const affinity = affinityTimeoutMs(service) !== undefined;
        const want = (host: string, listenPort: number, source: TrafficSource) => {
          const usable = applyTrafficPolicy(ready, service, source, nodeName);
          if (usable.length === 0) return;
          const key = listenKey(host, listenPort);
          // ClientIP affinity needs the balancer's memory; remote endpoints need the relay.
          if (!affinity && usable.every((backend) => backend.nodeName === nodeName)) {
            forwards.push({ key, ip: host === "0.0.0.0" ? undefined : host, port: listenPort, endpoints: usable.map(({ ip, port }) => ({ ip, port })) });
          }
          // Bound even when the kernel forwards it: the fallback if the rules are missing, and it holds the port.
          wanted.set(key, {
            host,
            port: listenPort,
            handle: (socket) => this.accept(socket, namespace, name, port.port, source),
          });
        };
        if (hasClusterIP(service) && this.options.addresses) {
          for (const ip of service.spec?.clusterIPs ?? [service.spec!.clusterIP!]) want(ip, port.port, "internal");
        }
        const type = service.spec?.type;
        if ((type === "NodePort" || type === "LoadBalancer") && port.nodePort) want("0.0.0.0", port.nodePort, "external");
        if (type === "LoadBalancer" && port.port !== port.nodePort) want(nodeIP, port.port, "external");
      }
    }
    this.balancer.retain(keys);
    this.localEndpoints = localEndpointSet(view.allEndpoints(), nodeName);
    this.syncAddresses();
    this.listeners.sync(wanted);
    this.options.kernel?.apply(forwards);
  }

  private syncAddresses(): void {
    const addresses = this.options.addresses;
    if (!addresses) return;
    const ips = [
      ...(this.options.extraAddresses ?? []),
      ...this.options.view.services().filter(hasClusterIP).flatMap((s) => s.spec?.clusterIPs ?? [s.spec!.clusterIP!]),
    ];
    // Serialised: ip commands from two syncs must not interleave. Listeners retry until their address exists.
    this.addressSync = this.addressSync.then(() => addresses.sync(ips)).then(() => this.listeners.retry());
  }

  private accept(client: Socket, namespace: string, name: string, port: number, source: TrafficSource): void {
    client.on("error", () => client.destroy());
    const clientIP = client.remoteAddress?.replace(/^::ffff:/, "");
    this.connect(namespace, name, port, source, clientIP).then(
      (backend) => {
        if (client.destroyed) return void backend.destroy();
        splice(client, backend);
        client.resume();
      },
      // Accepted but nowhere to go: reset, so the client fails at once rather than waits.
      () => client.resetAndDestroy(),
    );
  }

  dial(namespace: string, name: string, port: number | string, clientIP?: string): Promise<Socket> {
    const service = this.options.view.service(namespace, name);
    if (!service) return Promise.reject(new NoEndpointsError("NO_SERVICE", `service ${namespace}/${name} not found`));
    const servicePort = findServicePort(service, port);
    if (!servicePort) return Promise.reject(new NoEndpointsError("NO_SERVICE", `service ${namespace}/${name} has no port ${port}`));
    // Handed out flowing, like a socket from net.connect: consumers such as http.request(createConnection) never resume it.
    return this.connect(namespace, name, servicePort.port, "internal", clientIP).then((socket) => socket.resume());
  }

  private async connect(namespace: string, name: string, port: number, source: TrafficSource, clientIP?: string): Promise<Socket> {
    const { view, nodeName } = this.options;
    const service = view.service(namespace, name);
    const servicePort = service && findServicePort(service, port);
    if (!service || !servicePort) throw new NoEndpointsError("NO_SERVICE", `service ${namespace}/${name} port ${port} not found`);
    const key = balanceKey(namespace, name, port);
    const affinity = affinityTimeoutMs(service);
    const usable = applyTrafficPolicy(backendsFor(view.endpoints(namespace, name), servicePort), service, source, nodeName);
    let lastError: Error | undefined;
    // A refused endpoint (just stopped, not yet out of Endpoints) fails over to the next one.
    for (const backend of this.balancer.order(key, usable, clientIP, affinity)) {
      try {
        const socket = await this.dialBackend(backend);
        this.balancer.served(key, backend, clientIP, affinity);
        return socket;
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw new NoEndpointsError("NO_ENDPOINTS", `service ${namespace}/${name} port ${port} has no reachable endpoint${lastError ? ` (${lastError.message})` : ""}`);
  }

  private dialBackend(backend: Backend): Promise<Socket> {
    if (!backend.nodeName || backend.nodeName === this.options.nodeName) return dialDirect(backend.ip, backend.port);
    const relay = relayAddress(this.options.view.node(backend.nodeName));
    if (!relay) return Promise.reject(new Error(`node ${backend.nodeName} publishes no relay address`));
    return dialThroughRelay(relay.host, relay.port, backend.ip, backend.port);
  }
}

const balanceKey = (namespace: string, name: string, port: number) => `${namespace}/${name}:${port}`;

export function localEndpointSet(all: Endpoints[], nodeName: string): Set<string> {
  const set = new Set<string>();
  for (const endpoints of all) {
    for (const subset of endpoints.subsets ?? []) {
      for (const address of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])]) {
        if (address.nodeName !== nodeName) continue;
        for (const port of subset.ports ?? []) set.add(`${address.ip}:${port.port}`);
      }
    }
  }
  return set;
}
