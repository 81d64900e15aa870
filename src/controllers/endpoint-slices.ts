/**
 * The EndpointSlice controller's reconciler (pkg/controller/endpointslice),
 * simplified: endpoints are grouped by address type and resolved port set,
 * at most 100 per slice. Endpoints stay in the slice that already holds
 * them, new ones fill slices with room before new slices are created, and a
 * slice is written only when its content changes. A Service with no
 * endpoints keeps one empty placeholder slice, as upstream does.
 *
 * Terminating pods stay listed with ready=false, serving=<pod ready> and
 * terminating=true, so proxies drain them instead of cutting them off.
 */
import type { Pod, Service } from "../schema/core.js";
import type { EndpointSlice } from "../schema/networking.js";
import { derivedName, derivedSuffix } from "./derived-name.js";
import {
  LabelHeadlessService,
  canonicalJSON,
  findPort,
  isHeadless,
  podIPFor,
  podReference,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./endpoint-pods.js";
import { isPodReady } from "./pod-state.js";
import type { Action } from "./types.js";

export const LabelServiceName = "kubernetes.io/service-name";
export const LabelManagedBy = "endpointslice.kubernetes.io/managed-by";
export const ControllerName = "endpointslice-controller.k8s.io";
/** --max-endpoints-per-slice default. */
export const MaxEndpointsPerSlice = 100;

type Endpoint = EndpointSlice["endpoints"][number];
type SlicePort = NonNullable<EndpointSlice["ports"]>[number];
type AddressType = "IPv4" | "IPv6";

interface Group {
  addressType: AddressType;
  ports: SlicePort[];
  /** Endpoint key (pod uid or address) → endpoint. */
  endpoints: Map<string, Endpoint>;
}

const portsKey = (ports: readonly SlicePort[] | null | undefined) =>
  JSON.stringify(
    [...(ports ?? [])]
      .map((p) => [p.name ?? "", p.port ?? 0, p.protocol ?? "TCP", p.appProtocol ?? ""])
      .sort((a, b) => String(a).localeCompare(String(b))),
  );

const endpointKey = (e: Endpoint) => (e.targetRef?.uid as string | undefined) || e.addresses[0];

function podEndpoint(pod: Pod, service: Service, ip: string): Endpoint {
  const publish = service.spec?.publishNotReadyAddresses === true;
  const serving = publish || isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ep: Endpoint = {
    addresses: [ip],
    conditions: { ready: publish || (serving && !terminating), serving, terminating },
    targetRef: podReference(pod),
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** The desired endpoints, grouped by (address type, ports). */
function desiredGroups(service: Service, pods: readonly Pod[]): Map<string, Group> {
  const families = (service.spec?.ipFamilies?.length ? service.spec.ipFamilies : ["IPv4"]) as AddressType[];
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: SlicePort[] = [];
    for (const sp of service.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: SlicePort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    for (const family of families) {
      const ip = podIPFor(pod, family);
      if (!ip) continue;
      const key = `${family}|${portsKey(ports)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType: family, ports, endpoints: new Map() }));
      const ep = podEndpoint(pod, service, ip);
      g.endpoints.set(endpointKey(ep), ep);
    }
  }
  return groups;
}

export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  delete labels[LabelHeadlessService];
  labels[LabelServiceName] = service.metadata.name ?? "";
  labels[LabelManagedBy] = ControllerName;
  if (isHeadless(service)) labels[LabelHeadlessService] = "";
  return labels;
}

/** Slices this controller manages for the Service. */
export const isManagedSlice = (slice: EndpointSlice, service: Service): boolean =>
  slice.metadata.labels?.[LabelManagedBy] === ControllerName &&
  slice.metadata.labels?.[LabelServiceName] === service.metadata.name;

const sortEndpoints = (eps: Endpoint[]) =>
  eps.sort((a, b) =>
    String(a.targetRef?.name ?? "").localeCompare(String(b.targetRef?.name ?? "")) ||
    a.addresses[0].localeCompare(b.addresses[0]),
  );

const content = (s: Pick<EndpointSlice, "metadata" | "addressType" | "endpoints" | "ports">) =>
  canonicalJSON([s.metadata.labels ?? {}, s.metadata.ownerReferences ?? [], s.addressType, s.endpoints, s.ports ?? []]);

interface Draft {
  existing?: EndpointSlice;
  addressType: AddressType;
  ports: SlicePort[];
  endpoints: Endpoint[];
}

export function reconcileEndpointSlices(service: Service, pods: readonly Pod[], existing: readonly EndpointSlice[]): Action[] {
  const managed = existing.filter((s) => isManagedSlice(s, service));
  const groups = desiredGroups(service, pods);
  const drafts: Draft[] = [];
  const stale: EndpointSlice[] = [];

  // 1. Existing slices keep the endpoints they hold that are still wanted (updated to the current state).
  const claimed = new Set<string>();
  for (const slice of managed) {
    const g = groups.get(`${slice.addressType}|${portsKey(slice.ports)}`);
    const kept: Endpoint[] = [];
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = g?.endpoints.get(key);
      if (!want || claimed.has(`${slice.addressType}|${portsKey(slice.ports)}|${key}`)) continue;
      claimed.add(`${slice.addressType}|${portsKey(slice.ports)}|${key}`);
      kept.push(want);
    }
    if (kept.length > 0) drafts.push({ existing: slice, addressType: slice.addressType as AddressType, ports: g!.ports, endpoints: kept });
    else stale.push(slice);
  }

  // 2. New endpoints fill slices with room, then new slices of at most 100.
  for (const [gk, g] of groups) {
    const fresh = [...g.endpoints.entries()].filter(([k]) => !claimed.has(`${gk}|${k}`)).map(([, ep]) => ep);
    sortEndpoints(fresh);
    for (const d of drafts) {
      if (fresh.length === 0) break;
      if (`${d.addressType}|${portsKey(d.ports)}` !== gk) continue;
      d.endpoints.push(...fresh.splice(0, MaxEndpointsPerSlice - d.endpoints.length));
    }
    while (fresh.length > 0) {
      drafts.push({ addressType: g.addressType, ports: g.ports, endpoints: fresh.splice(0, MaxEndpointsPerSlice) });
    }
  }

  // 3. No endpoints at all: one empty placeholder, reusing an existing slice when possible.
  if (drafts.length === 0) {
    const reuse = stale.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0) ?? stale[0];
    if (reuse) stale.splice(stale.indexOf(reuse), 1);
    const family = (service.spec?.ipFamilies?.[0] ?? "IPv4") as AddressType;
    drafts.push({ existing: reuse, addressType: family, ports: [], endpoints: [] });
  }

  // 4. Upstream turns a create plus a delete into one update (addressType is immutable, so only within one).
  for (const d of drafts) {
    if (d.existing) continue;
    const i = stale.findIndex((s) => s.addressType === d.addressType);
    if (i >= 0) d.existing = stale.splice(i, 1)[0];
  }

  const actions: Action[] = [];
  const names = new Set(existing.map((s) => s.metadata.name));
  for (const d of drafts) {
    sortEndpoints(d.endpoints);
    const desired = buildSlice(service, d, names);
    if (d.existing && content(d.existing) === content(desired)) continue;
    actions.push({ type: d.existing ? "update" : "create", resource: "endpointslices", object: desired });
  }
  for (const s of stale) {
    actions.push({ type: "delete", resource: "endpointslices", name: s.metadata.name ?? "", uid: s.metadata.uid });
  }
  return actions;
}

function buildSlice(service: Service, d: Draft, names: Set<string | undefined>): EndpointSlice {
  const base = d.existing?.metadata ?? { namespace: service.metadata.namespace, ...newSliceName(service, d, names) };
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      ...base,
      labels: sliceLabels(service),
      ownerReferences: [
        { apiVersion: "v1", kind: "Service", name: service.metadata.name ?? "", uid: service.metadata.uid ?? "", controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: d.addressType,
    endpoints: d.endpoints,
    ports: d.ports,
  };
}

/**
 * `<service>-<5 chars>` like generateName would give, derived from the
 * Service uid and the slice's first content so a retried create cannot
 * leave a duplicate behind.
 */
function newSliceName(service: Service, d: Draft, names: Set<string | undefined>) {
  const prefix = `${service.metadata.name}-`;
  const seed = `${service.metadata.uid}|${d.addressType}|${portsKey(d.ports)}|${d.endpoints.map(endpointKey).join(",")}`;
  const name = derivedName(prefix, names, (attempt) => derivedSuffix(`${seed}|${attempt}`));
  return { name, generateName: prefix.slice(0, 58) };
}
