/**
 * The Endpoints controller (pkg/controller/endpoint) and, through
 * endpoint-slices.ts, the EndpointSlice controller, for one Service with a
 * selector. Endpoints list ready pods under `addresses` and the rest under
 * `notReadyAddresses` (all ready with publishNotReadyAddresses); terminating
 * pods leave Endpoints at once. Objects are written only when their content
 * changes. Services without a selector are left to whoever manages their
 * endpoints.
 */
import type { Endpoints, Pod, Service } from "../schema/core.js";
import type { EndpointSlice } from "../schema/networking.js";
import {
  LabelHeadlessService,
  canonicalJSON,
  findPort,
  isHeadless,
  podIPFor,
  podReference,
  selectedPods,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./endpoint-pods.js";
import { reconcileEndpointSlices } from "./endpoint-slices.js";
import { isPodReady } from "./pod-state.js";
import type { Action, ReconcileResult } from "./types.js";

type Subset = NonNullable<Endpoints["subsets"]>[number];
type Address = NonNullable<Subset["addresses"]>[number];
type Port = NonNullable<Subset["ports"]>[number];

/** Endpoints the controller manages are not mirrored into slices (they get their own). */
export const LabelSkipMirror = "endpointslice.kubernetes.io/skip-mirror";

const portKey = (p: Port) => `${p.name ?? ""}|${p.port}|${p.protocol ?? ""}|${p.appProtocol ?? ""}`;
const addressKey = (a: Address) => `${a.ip}|${(a.targetRef?.uid as string | undefined) ?? ""}`;

/** Sorted by IP, then target uid, as upstream's SortSubsets orders addresses. */
const byAddress = (a: Address, b: Address) => a.ip.localeCompare(b.ip) || addressKey(a).localeCompare(addressKey(b));
const byPort = (a: Port, b: Port) => portKey(a).localeCompare(portKey(b));

/**
 * RepackSubsets: every address goes with every port it serves, then ports
 * sharing the very same set of (address, readiness) are merged into one
 * subset. Ports -1 stands for "no ports" (a headless Service without ports).
 */
function repack(entries: { address: Address; ready: boolean; port?: Port }[]): Subset[] {
  const byPortKey = new Map<string, { port?: Port; addrs: Map<string, { address: Address; ready: boolean }> }>();
  for (const e of entries) {
    const k = e.port ? portKey(e.port) : "-1";
    let slot = byPortKey.get(k);
    if (!slot) byPortKey.set(k, (slot = { port: e.port, addrs: new Map() }));
    slot.addrs.set(addressKey(e.address), { address: e.address, ready: e.ready });
  }
  const bySet = new Map<string, { addrs: { address: Address; ready: boolean }[]; ports: Port[] }>();
  for (const { port, addrs } of byPortKey.values()) {
    const list = [...addrs.values()];
    const setKey = list.map((a) => `${addressKey(a.address)}:${a.ready}`).sort().join(",");
    let group = bySet.get(setKey);
    if (!group) bySet.set(setKey, (group = { addrs: list, ports: [] }));
    if (port) group.ports.push(port);
  }
  const subsets: Subset[] = [];
  for (const key of [...bySet.keys()].sort()) {
    const { addrs, ports } = bySet.get(key)!;
    const subset: Subset = {};
    const ready = addrs.filter((a) => a.ready).map((a) => a.address).sort(byAddress);
    const notReady = addrs.filter((a) => !a.ready).map((a) => a.address).sort(byAddress);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (ports.length) subset.ports = ports.sort(byPort);
    subsets.push(subset);
  }
  return subsets;
}

/** The subsets the Endpoints object should hold for `service` given its namespace's pods. */
export function endpointSubsets(service: Service, pods: readonly Pod[]): Subset[] {
  const publish = service.spec?.publishNotReadyAddresses === true;
  const family = (service.spec?.ipFamilies?.[0] ?? "IPv4") as "IPv4" | "IPv6";
  const servicePorts = service.spec?.ports ?? [];
  const entries: { address: Address; ready: boolean; port?: Port }[] = [];
  for (const pod of selectedPods(service, pods)) {
    if (!shouldPodBeInEndpoints(pod, publish)) continue;
    const ip = podIPFor(pod, family);
    if (!ip) continue;
    const address: Address = { ip, targetRef: podReference(pod) };
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, service)) address.hostname = pod.spec.hostname;
    const ready = publish || isPodReady(pod);
    if (servicePorts.length === 0) {
      if (isHeadless(service)) entries.push({ address, ready });
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: Port = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) p.name = sp.name;
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      entries.push({ address, ready, port: p });
    }
  }
  return repack(entries);
}

/** Service labels, minus/plus the headless marker, plus skip-mirror. */
export function endpointsLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  delete labels[LabelHeadlessService];
  if (isHeadless(service)) labels[LabelHeadlessService] = "";
  labels[LabelSkipMirror] = "true";
  return labels;
}

function reconcileEndpointsObject(service: Service, pods: readonly Pod[], existing: Endpoints | undefined): Action[] {
  const subsets = endpointSubsets(service, pods);
  const labels = endpointsLabels(service);
  if (existing && canonicalJSON(existing.subsets ?? []) === canonicalJSON(subsets) && canonicalJSON(existing.metadata.labels ?? {}) === canonicalJSON(labels)) {
    return [];
  }
  const metadata = existing
    ? { ...existing.metadata, labels }
    : { name: service.metadata.name, namespace: service.metadata.namespace, labels };
  const object: Endpoints = { apiVersion: "v1", kind: "Endpoints", metadata };
  if (subsets.length) object.subsets = subsets;
  return [{ type: existing ? "update" : "create", resource: "endpoints", object }];
}

/**
 * Keeps the Service's Endpoints object and EndpointSlices in step with its
 * pods. `pods` are the namespace's pods (the selector is applied here);
 * `existingEndpoints` is the object named like the Service, if any;
 * `existingSlices` may hold any slices of the namespace (only this
 * Service's managed ones are touched). A Service that is gone (undefined)
 * takes its Endpoints with it; its slices go by ownerReference.
 */
export function reconcileEndpoints(
  service: Service | undefined,
  pods: readonly Pod[],
  existingEndpoints: Endpoints | undefined,
  existingSlices: readonly EndpointSlice[],
): ReconcileResult {
  if (!service) {
    if (!existingEndpoints) return { actions: [] };
    const { name, uid } = existingEndpoints.metadata;
    return { actions: [{ type: "delete", resource: "endpoints", name: name ?? "", uid }] };
  }
  if (!serviceSelector(service) || service.metadata.deletionTimestamp) return { actions: [] };
  return {
    actions: [
      ...reconcileEndpointsObject(service, pods, existingEndpoints),
      ...reconcileEndpointSlices(service, selectedPods(service, pods), existingSlices),
    ],
  };
}
