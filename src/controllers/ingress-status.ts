/**
 * kubeflare's Ingress controller, control-plane half: Ingresses of our
 * class get status.loadBalancer.ingress = the Ready nodes' addresses (every
 * node's agent proxies Ingress traffic), and a Warning Event when a backend
 * names a Service, or a Service port, that does not exist. Level-triggered:
 * run on changes of the Ingress, of Services in its namespace, and of Nodes.
 */
import type { Node, Service } from "../schema/core.js";
import type { Ingress } from "../schema/networking.js";
import { INGRESS_CLASS_NAME, ingressClassOf } from "./ingress-class.js";
import { loadBalancerIngress } from "./service-load-balancer.js";
import type { Action, ReconcileResult } from "./types.js";

type Backend = NonNullable<NonNullable<Ingress["spec"]>["defaultBackend"]>;

export const isOurIngress = (ing: Ingress) => ingressClassOf(ing) === INGRESS_CLASS_NAME;

function backendsOf(ing: Ingress): Backend[] {
  const list: Backend[] = [];
  if (ing.spec?.defaultBackend) list.push(ing.spec.defaultBackend);
  for (const r of ing.spec?.rules ?? []) for (const p of r.http?.paths ?? []) list.push(p.backend);
  return list;
}

/** What is wrong with each Service backend, one message per distinct problem. */
export function missingBackends(ing: Ingress, services: readonly Service[]): string[] {
  const byName = new Map(services.map((s) => [s.metadata.name, s]));
  const problems = new Set<string>();
  const ns = ing.metadata.namespace;
  for (const b of backendsOf(ing)) {
    const ref = b.service;
    if (!ref?.name) continue;
    const svc = byName.get(ref.name);
    if (!svc) {
      problems.add(`service "${ns}/${ref.name}" not found`);
      continue;
    }
    const port = ref.port;
    const ports = svc.spec?.ports ?? [];
    const found = port?.name ? ports.some((p) => p.name === port.name) : port?.number ? ports.some((p) => p.port === port.number) : true;
    if (!found && svc.spec?.type !== "ExternalName")
      problems.add(`service "${ns}/${ref.name}" has no port ${port?.name ? JSON.stringify(port.name) : port?.number}`);
  }
  return [...problems].sort();
}

export function reconcileIngress(ing: Ingress | undefined, services: readonly Service[], nodes: readonly Node[]): ReconcileResult {
  if (!ing || ing.metadata.deletionTimestamp || !isOurIngress(ing)) return { actions: [] };
  const actions: Action[] = [];
  const want = loadBalancerIngress(nodes);
  const current = ing.status?.loadBalancer?.ingress ?? [];
  if (JSON.stringify(current) !== JSON.stringify(want)) {
    const status = { ...(ing.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
    actions.push({ type: "updateStatus", resource: "ingresses", object: { ...ing, status } });
  }
  for (const message of missingBackends(ing, services))
    actions.push({
      type: "event",
      involvedObject: { kind: "Ingress", apiVersion: "networking.k8s.io/v1", name: ing.metadata.name!, namespace: ing.metadata.namespace, uid: ing.metadata.uid },
      eventType: "Warning",
      reason: "BackendNotFound",
      message,
      component: "kubeflare-ingress",
    });
  return { actions };
}
