/**
 * Which endpoint a new connection to a Service port goes to, as kube-proxy
 * decides it: the ready addresses of the Service's Endpoints for that port,
 * narrowed by the traffic policy that applies to where the connection came
 * from, then ClientIP session affinity, then round robin. Pure apart from
 * the balancer's own memory (round-robin position and affinity table).
 */
import type { Endpoints, Service } from "../../../src/schema/core.js";

type ServicePort = NonNullable<NonNullable<Service["spec"]>["ports"]>[number];

export interface Backend {
  ip: string;
  port: number;
  /** The node running it; endpoints elsewhere are reached through that node's relay. */
  nodeName?: string;
}

/** "internal": to a ClusterIP. "external": to a NodePort or LoadBalancer port (externalTrafficPolicy applies). */
export type TrafficSource = "internal" | "external";

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export const backendKey = (b: Backend) => `${b.ip}:${b.port}`;

/** The Service port named `port` (a port name) or numbered `port` (the Service's own port number). */
export function findServicePort(service: Service, port: number | string): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  return typeof port === "number" ? ports.find((p) => p.port === port) : ports.find((p) => (p.name ?? "") === port);
}

/**
 * Ready endpoints for one Service port. Endpoints ports carry the Service
 * port's name (empty for a single unnamed port), which is how kube-proxy
 * pairs them, since targetPort may be a container port name that differs per pod.
 */
export function backendsFor(endpoints: Endpoints | undefined, servicePort: ServicePort): Backend[] {
  const wanted = servicePort.name ?? "";
  const protocol = servicePort.protocol ?? "TCP";
  const backends: Backend[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = subset.ports?.find((p) => (p.name ?? "") === wanted && (p.protocol ?? "TCP") === protocol);
    if (!port) continue;
    for (const address of subset.addresses ?? []) {
      backends.push(address.nodeName ? { ip: address.ip, port: port.port, nodeName: address.nodeName } : { ip: address.ip, port: port.port });
    }
  }
  return backends;
}

/**
 * internalTrafficPolicy: Local keeps ClusterIP traffic on this node's
 * endpoints; externalTrafficPolicy: Local does the same for NodePort and
 * LoadBalancer traffic (so the client's address is kept). With no local
 * endpoint the connection is refused rather than sent elsewhere.
 */
export function applyTrafficPolicy(backends: Backend[], service: Service, source: TrafficSource, nodeName: string): Backend[] {
  const exposed = service.spec?.type === "NodePort" || service.spec?.type === "LoadBalancer";
  const policy = source === "external" && exposed ? service.spec?.externalTrafficPolicy : service.spec?.internalTrafficPolicy;
  return policy === "Local" ? backends.filter((b) => b.nodeName === nodeName) : backends;
}

export function affinityTimeoutMs(service: Service): number | undefined {
  if (service.spec?.sessionAffinity !== "ClientIP") return undefined;
  const config = service.spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: number } } | undefined;
  return (config?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000;
}

interface Stickiness {
  backend: string;
  expiresAt: number;
}

export class Balancer {
  private readonly next = new Map<string, number>();
  private readonly sticky = new Map<string, Map<string, Stickiness>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Candidates in the order to try them: the client's sticky endpoint first
   * (while its affinity has not expired and it is still ready), otherwise
   * round robin from this Service port's position; the rest follow so a
   * refused connection can fail over.
   */
  order(key: string, backends: Backend[], clientIP?: string, affinityMs?: number): Backend[] {
    if (backends.length === 0) return [];
    if (affinityMs !== undefined && clientIP) {
      const entry = this.sticky.get(key)?.get(clientIP);
      if (entry && entry.expiresAt > this.now()) {
        const at = backends.findIndex((b) => backendKey(b) === entry.backend);
        if (at >= 0) return rotate(backends, at);
      }
    }
    const start = (this.next.get(key) ?? 0) % backends.length;
    this.next.set(key, start + 1);
    return rotate(backends, start);
  }

  /** Records that `clientIP` was served by `backend`, starting (or renewing) its affinity window. */
  served(key: string, backend: Backend, clientIP?: string, affinityMs?: number): void {
    if (affinityMs === undefined || !clientIP) return;
    let table = this.sticky.get(key);
    if (!table) this.sticky.set(key, (table = new Map()));
    table.set(clientIP, { backend: backendKey(backend), expiresAt: this.now() + affinityMs });
  }

  /** Drops state for Service ports no longer present, and expired affinity. */
  retain(keys: Set<string>): void {
    const now = this.now();
    for (const key of this.next.keys()) if (!keys.has(key)) this.next.delete(key);
    for (const [key, table] of this.sticky) {
      if (!keys.has(key)) {
        this.sticky.delete(key);
        continue;
      }
      for (const [client, entry] of table) if (entry.expiresAt <= now) table.delete(client);
    }
  }
}

function rotate<T>(items: T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}
