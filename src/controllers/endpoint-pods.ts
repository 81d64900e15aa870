/**
 * What the Endpoints and EndpointSlice controllers read from pods
 * (pkg/controller/util/endpoint): which pods back a Service, the port a
 * Service port resolves to on each pod, and the pod's address.
 */
import type { Pod, Service } from "../schema/core.js";

type ServicePort = NonNullable<NonNullable<Service["spec"]>["ports"]>[number];

/** The Service's selector, or undefined when the controllers must leave it alone. */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  if (service.spec?.type === "ExternalName") return undefined;
  const selector = service.spec?.selector;
  // Kubernetes treats an empty selector like none: endpoints are managed by someone else.
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return selector;
}

export function selectedPods(service: Service, pods: readonly Pod[]): Pod[] {
  const selector = serviceSelector(service);
  if (!selector) return [];
  const entries = Object.entries(selector);
  return pods.filter((p) => {
    const labels = p.metadata.labels ?? {};
    return entries.every(([k, v]) => labels[k] === v);
  });
}

/**
 * ShouldPodBeInEndpoints: finished pods and pods without an IP never are;
 * terminating pods only when the caller includes them (EndpointSlices always
 * do, Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export const isIPv6 = (ip: string): boolean => ip.includes(":");

/** The pod's IP of the given family (podIPs first, as upstream reads them). */
export function podIPFor(pod: Pod, family: "IPv4" | "IPv6"): string | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => isIPv6(ip) === (family === "IPv6"));
}

/**
 * FindPort: a numeric targetPort is used as is; a named one is looked up in
 * the pod's container ports (app containers, then sidecars) with the same
 * protocol. Returns undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  const protocol = sp.protocol ?? "TCP";
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The `kind: Pod` ObjectReference both controllers put in targetRef. */
export const podReference = (pod: Pod) => ({
  kind: "Pod",
  namespace: pod.metadata.namespace,
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});

/** ShouldSetHostname: the pod named its hostname and chose this Service as its subdomain. */
export const shouldSetHostname = (pod: Pod, service: Service): boolean =>
  !!pod.spec?.hostname && pod.spec.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;

export const isHeadless = (service: Service): boolean => service.spec?.clusterIP === "None";

export const LabelHeadlessService = "service.kubernetes.io/headless";

export type { ServicePort };

/**
 * JSON with object keys sorted, for "did the content change?" checks that
 * must not depend on the key order a stored object came back with.
 */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}
