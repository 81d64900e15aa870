/**
 * LoadBalancer Services the way k3s' ServiceLB serves them: every Ready
 * node accepts the Service's ports, so status.loadBalancer.ingress lists the
 * Ready nodes' InternalIP addresses (and `kubectl get svc` shows them as
 * EXTERNAL-IP). Level-triggered: recomputed whenever the Service or a Node
 * changes; a Service that stops being a LoadBalancer loses the status.
 */
import type { Node, Service } from "../schema/core.js";
import type { ReconcileResult } from "./types.js";

type LoadBalancerIngress = { ip?: string; hostname?: string }[];

const isReady = (n: Node) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** The InternalIP of every Ready node, sorted, each once: what k3s publishes for its ServiceLB. */
export function readyNodeAddresses(nodes: readonly Node[]): string[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (!isReady(n) || n.metadata.deletionTimestamp) continue;
    const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort();
}

export function loadBalancerIngress(nodes: readonly Node[]): LoadBalancerIngress {
  return readyNodeAddresses(nodes).map((ip) => ({ ip }));
}

export function reconcileLoadBalancer(service: Service | undefined, nodes: readonly Node[]): ReconcileResult {
  if (!service || service.metadata.deletionTimestamp) return { actions: [] };
  // Another implementation claims Services with a loadBalancerClass, as upstream's.
  const ours = service.spec?.type === "LoadBalancer" && !service.spec.loadBalancerClass;
  const current = service.status?.loadBalancer?.ingress ?? [];
  const want = ours ? loadBalancerIngress(nodes) : service.spec?.type === "LoadBalancer" ? current : [];
  if (JSON.stringify(current) === JSON.stringify(want)) return { actions: [] };
  const status = { ...(service.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
  return { actions: [{ type: "updateStatus", resource: "services", object: { ...service, status } }] };
}
