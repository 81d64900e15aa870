/**
 * Everything that carries Service traffic on a node, started together:
 *
 *   catalog (list/watch) ──▶ service proxy ──▶ ClusterIP / NodePort / LB listeners
 *        │                       ▲   │   └──▶ kernel proxy (iptables NAT for all-local Service ports)
 *        ├──▶ cluster DNS         │   └──▶ local pods, or other nodes' relays
 *        └──▶ Ingress proxy ─────┘ (dial)
 *   node relay ◀── other nodes' proxies
 *
 * Ports another agent on the same host already holds are retried until it
 * lets go, so one of several agents sharing a host always serves them.
 */
import { clusterDNSIP as clusterDNSAddress } from "../../../src/registry/service-ip-range.js";
import type { BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import { Catalog } from "./catalog.js";
import { startClusterDns, type ClusterDns } from "./dns/server.js";
import { startIngressProxy, type IngressProxy } from "./ingress/index.js";
import { networkInterfaces } from "node:os";
import { pickInternalIP } from "../controlplane/node-object.js";
import { iptablesAvailable, KernelProxy } from "./kernel-proxy.js";
import { NodeRelay } from "./relay.js";
import { DEFAULT_SERVICE_CIDR, ServiceAddresses } from "./service-addresses.js";
import { ServiceProxy } from "./service-proxy.js";

export const DEFAULT_RELAY_PORT = 10250;

export type ProxyMode = "iptables" | "userspace";
export const CLUSTER_DNS_PORT = 53;

export interface NodeNetworkOptions {
  server: string;
  token: string;
  ca?: string | Buffer;
  nodeName: string;
  nodeIP: string;
  relayPort?: number;
  serviceCIDR?: string;
  clusterDNSIP?: string;
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** "iptables" (default): the in-kernel fast path where this host allows it; "userspace": never. */
  proxyMode?: ProxyMode;
  /** How often ports held elsewhere are tried again. */
  retryMs?: number;
  /** Backoff for listing again after watch failures (the agent's reconnect policy). */
  retry?: BackoffPolicy;
  log: Logger;
}

export interface NodeNetwork {
  catalog: Catalog;
  proxy: ServiceProxy;
  /** The port the relay listens on, to publish in the Node's status. */
  relayPort: number;
  clusterDNSIP: string;
  stop(): Promise<void>;
}

export async function startNodeNetwork(options: NodeNetworkOptions): Promise<NodeNetwork> {
  const { log, nodeIP } = options;
  const serviceCIDR = options.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  // The tenth address of the range, derived as the control plane derives it.
  const clusterDNSIP = options.clusterDNSIP ?? clusterDNSAddress(serviceCIDR);
  const retryMs = options.retryMs ?? 1_000;
  const catalog = new Catalog({ server: options.server, token: options.token, ca: options.ca, log, retry: options.retry });
  const addresses = new ServiceAddresses({ serviceCIDR, log });
  const kernel = await kernelProxy(options);
  const proxy = new ServiceProxy({ view: catalog, nodeName: options.nodeName, nodeIP, addresses, extraAddresses: [clusterDNSIP], retryMs, kernel, log });
  const wantedRelayPort = options.relayPort ?? DEFAULT_RELAY_PORT;
  const allowTarget = (ip: string, port: number) => proxy.isLocalEndpoint(ip, port);
  let relay = new NodeRelay({ host: nodeIP, port: wantedRelayPort, allowTarget, log });
  let relayPort: number;
  try {
    relayPort = await relay.start();
  } catch (error) {
    if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
    // Another agent (or a kubelet) holds it; the Node's status tells peers whichever port we get.
    relay = new NodeRelay({ host: nodeIP, port: 0, allowTarget, log });
    relayPort = await relay.start();
    log(`node relay: port ${wantedRelayPort} is in use; listening on ${relayPort} instead`);
  }
  catalog.start();
  proxy.start();

  const stopping = new AbortController();
  const dns = keepTrying<ClusterDns>(
    `cluster DNS on ${clusterDNSIP}:${CLUSTER_DNS_PORT}`,
    () => startClusterDns({ view: catalog, listen: { address: clusterDNSIP, port: CLUSTER_DNS_PORT }, log }),
    (server) => server.close(),
    retryMs,
    stopping.signal,
    log,
  );
  const ingress = keepTrying<IngressProxy>(
    `Ingress on ${nodeIP}:${options.ingressHttpPort ?? 80}/${options.ingressHttpsPort ?? 443}`,
    () =>
      startIngressProxy({
        view: catalog,
        dialer: proxy,
        http: { address: nodeIP, port: options.ingressHttpPort ?? 80 },
        https: { address: nodeIP, port: options.ingressHttpsPort ?? 443 },
        log,
      }),
    (server) => server.close(),
    retryMs,
    stopping.signal,
    log,
  );
  log(
    `service proxy on: relay ${nodeIP}:${relayPort}, cluster DNS ${clusterDNSIP}, service range ${serviceCIDR}, ` +
      `local endpoints forwarded ${kernel ? "in the kernel (iptables)" : "in userspace"}`,
  );

  return {
    catalog,
    proxy,
    relayPort,
    clusterDNSIP,
    async stop() {
      stopping.abort();
      await Promise.all([dns, ingress]);
      await Promise.all([proxy.stop(), relay.stop()]);
      await catalog.stop();
    },
  };
}

const isLoopback = (ip: string) => ip.startsWith("127.") || ip === "::1";

/** The in-kernel forwarder, unless turned off or this host cannot have one (then said once, and userspace serves). */
async function kernelProxy(options: NodeNetworkOptions): Promise<KernelProxy | undefined> {
  if (options.proxyMode === "userspace") return undefined;
  const unavailable = await iptablesAvailable();
  if (unavailable) {
    options.log(`service proxy: in-kernel forwarding off (${unavailable}); the userspace proxy serves every Service`);
    return undefined;
  }
  const candidate = isLoopback(options.nodeIP) ? pickInternalIP(networkInterfaces()) : options.nodeIP;
  const kernel = new KernelProxy({ nodeName: options.nodeName, hostAddress: isLoopback(candidate) ? undefined : candidate, log: options.log });
  return (await kernel.start()) ? kernel : undefined;
}

/**
 * Starts a server, and while its port is taken (another agent on this host)
 * or its address is not local yet, tries again every `intervalMs`. Resolves
 * once stopped, after closing what it started.
 */
async function keepTrying<T>(
  what: string,
  start: () => Promise<T>,
  close: (server: T) => Promise<void>,
  intervalMs: number,
  stopped: AbortSignal,
  log: Logger,
): Promise<void> {
  let said = "";
  while (!stopped.aborted) {
    try {
      const server = await start();
      if (said) log(`${what}: now serving`);
      await new Promise<void>((resolve) => (stopped.aborted ? resolve() : stopped.addEventListener("abort", () => resolve(), { once: true })));
      await close(server);
      return;
    } catch (error) {
      const message = (error as Error & { code?: string }).code ?? (error as Error).message;
      if (message !== said) log(`${what}: ${message}; will retry`);
      said = message;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopped.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        stopped.addEventListener("abort", done, { once: true });
      });
    }
  }
}
