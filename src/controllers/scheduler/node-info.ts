/**
 * Per-node aggregates the scheduler filters and scores against, as upstream's
 * NodeInfo cache: requested resources, used host ports and pod counts per
 * owner, kept incrementally so placing thousands of pods does not re-add
 * every bound pod for every decision. Pods are keyed by uid, so adding the
 * same pod twice (a retried bind) is a no-op and the cache can always be
 * rebuilt from the bound pods alone.
 */
import type { Node, Pod, Taint } from "../../schema/core.js";
import { type NodeAllocatable, nodeAllocatable, podNonZeroRequests, podRequests } from "./resources.js";
import { schedulingTaints } from "./taints.js";

/** A host port a pod claims: `protocol/port` plus the host IP ("0.0.0.0" binds all). */
export interface HostPort {
  key: string;
  ip: string;
}

/** What one pod contributes to its node; kept so it can be subtracted again. */
export interface PodContribution {
  cpuMilli: number;
  memoryBytes: number;
  nonZeroCpuMilli: number;
  nonZeroMemoryBytes: number;
  hostPorts: HostPort[];
  ownerUid: string | undefined;
}

export interface NodeInfo {
  name: string;
  node: Node;
  labels: Record<string, string>;
  allocatable: NodeAllocatable;
  requested: { cpuMilli: number; memoryBytes: number; pods: number };
  nonZeroRequested: { cpuMilli: number; memoryBytes: number };
  /** `protocol/port` → host IP → number of pods holding it. */
  usedPorts: Map<string, Map<string, number>>;
  /** Controller owner uid → number of its pods on this node (for spreading). */
  ownerPods: Map<string, number>;
  pods: Map<string, PodContribution>;
  /** Cordoned (`spec.unschedulable`). */
  unschedulable: boolean;
  /** The node object is being deleted. */
  deleting: boolean;
  /** NoSchedule and NoExecute taints, including the one implied by a Ready condition that is not True. */
  filterTaints: Taint[];
  /** PreferNoSchedule taints: they only lower the score. */
  preferNoScheduleTaints: Taint[];
}

export const BindAllHostIP = "0.0.0.0";

/** The controller ownerReference's uid, the identity pods are spread by. */
export function controllerUid(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

/** Host ports a pod claims; hostNetwork pods claim their container ports, as API defaulting makes them. */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const hostNetwork = pod.spec?.hostNetwork === true;
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? (hostNetwork ? p.containerPort : 0);
      if (!port || port <= 0) continue;
      out.push({ key: `${p.protocol || "TCP"}/${port}`, ip: p.hostIP || BindAllHostIP });
    }
  }
  return out;
}

export function podContribution(pod: Pod): PodContribution {
  const req = podRequests(pod);
  const nz = podNonZeroRequests(pod);
  return {
    cpuMilli: req.cpuMilli,
    memoryBytes: req.memoryBytes,
    nonZeroCpuMilli: nz.cpuMilli,
    nonZeroMemoryBytes: nz.memoryBytes,
    hostPorts: podHostPorts(pod),
    ownerUid: controllerUid(pod),
  };
}

export function newNodeInfo(node: Node): NodeInfo {
  const taints = schedulingTaints(node);
  return {
    name: node.metadata.name ?? "",
    node,
    labels: node.metadata.labels ?? {},
    allocatable: nodeAllocatable(node),
    requested: { cpuMilli: 0, memoryBytes: 0, pods: 0 },
    nonZeroRequested: { cpuMilli: 0, memoryBytes: 0 },
    usedPorts: new Map(),
    ownerPods: new Map(),
    pods: new Map(),
    unschedulable: node.spec?.unschedulable === true,
    deleting: !!node.metadata.deletionTimestamp,
    filterTaints: taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute"),
    preferNoScheduleTaints: taints.filter((t) => t.effect === "PreferNoSchedule"),
  };
}

/** Pods in a terminal phase no longer hold resources (upstream's informer drops them). */
export function holdsNodeResources(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

/** Adds a pod to the node's aggregates; a pod already present (same uid) is left as is. */
export function addPod(info: NodeInfo, uid: string, c: PodContribution): void {
  if (info.pods.has(uid)) return;
  info.pods.set(uid, c);
  info.requested.cpuMilli += c.cpuMilli;
  info.requested.memoryBytes += c.memoryBytes;
  info.requested.pods += 1;
  info.nonZeroRequested.cpuMilli += c.nonZeroCpuMilli;
  info.nonZeroRequested.memoryBytes += c.nonZeroMemoryBytes;
  for (const hp of c.hostPorts) {
    let ips = info.usedPorts.get(hp.key);
    if (!ips) info.usedPorts.set(hp.key, (ips = new Map()));
    ips.set(hp.ip, (ips.get(hp.ip) ?? 0) + 1);
  }
  if (c.ownerUid) info.ownerPods.set(c.ownerUid, (info.ownerPods.get(c.ownerUid) ?? 0) + 1);
}

/** Subtracts a pod (deleted, finished, or a reservation rolled back). */
export function removePod(info: NodeInfo, uid: string): void {
  const c = info.pods.get(uid);
  if (!c) return;
  info.pods.delete(uid);
  info.requested.cpuMilli -= c.cpuMilli;
  info.requested.memoryBytes -= c.memoryBytes;
  info.requested.pods -= 1;
  info.nonZeroRequested.cpuMilli -= c.nonZeroCpuMilli;
  info.nonZeroRequested.memoryBytes -= c.nonZeroMemoryBytes;
  for (const hp of c.hostPorts) {
    const ips = info.usedPorts.get(hp.key);
    const n = ips?.get(hp.ip) ?? 0;
    if (n <= 1) ips?.delete(hp.ip);
    else ips!.set(hp.ip, n - 1);
    if (ips && ips.size === 0) info.usedPorts.delete(hp.key);
  }
  if (c.ownerUid) {
    const n = (info.ownerPods.get(c.ownerUid) ?? 0) - 1;
    if (n <= 0) info.ownerPods.delete(c.ownerUid);
    else info.ownerPods.set(c.ownerUid, n);
  }
}

/** Keys pods without a uid (fixtures, dry runs) by namespace/name so they are still counted once. */
export function podKey(pod: Pod): string {
  return pod.metadata.uid || `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
}

export interface NodeInfos {
  list: NodeInfo[];
  byName: Map<string, NodeInfo>;
  /** Pod key (uid) → node it is counted on. */
  placements: Map<string, string>;
}

/** Counts a pod on a node (a binding decided or observed). Returns false when the node is unknown. */
export function assumePod(infos: NodeInfos, nodeName: string, key: string, c: PodContribution): boolean {
  const info = infos.byName.get(nodeName);
  if (!info) return false;
  const previous = infos.placements.get(key);
  if (previous === nodeName) return true;
  if (previous !== undefined) forgetPod(infos, key);
  addPod(info, key, c);
  infos.placements.set(key, nodeName);
  return true;
}

/** Stops counting a pod (deleted, finished, or a binding that failed to persist). */
export function forgetPod(infos: NodeInfos, key: string): void {
  const nodeName = infos.placements.get(key);
  if (nodeName === undefined) return;
  const info = infos.byName.get(nodeName);
  if (info) removePod(info, key);
  infos.placements.delete(key);
}

/**
 * Builds the cache from all nodes and every pod bound to one of them (any
 * namespace). Pods bound to nodes not in `nodes` are ignored.
 */
export function buildNodeInfos(nodes: readonly Node[], boundPods: readonly Pod[]): NodeInfos {
  const list = nodes.map(newNodeInfo);
  const infos: NodeInfos = { list, byName: new Map(list.map((i) => [i.name, i])), placements: new Map() };
  for (const pod of boundPods) {
    if (!pod.spec?.nodeName || !holdsNodeResources(pod)) continue;
    assumePod(infos, pod.spec.nodeName, podKey(pod), podContribution(pod));
  }
  return infos;
}
