/**
 * The default profile's filter plugins, in upstream's order, each stopping
 * the node at its first failure: NodeUnschedulable, TaintToleration,
 * NodeAffinity, NodePorts, NodeResourcesFit. Reasons are upstream's exact
 * strings because they end up, counted, in the FailedScheduling message.
 */
import type { Pod, Taint, Toleration } from "../../schema/core.js";
import {
  type NodeMatcher,
  type WeightedMatcher,
  compilePreferredNodeAffinity,
  compileRequiredNodeAffinity,
} from "./node-affinity.js";
import { BindAllHostIP, type NodeInfo, type PodContribution, podContribution, podKey } from "./node-info.js";
import { TaintNodeUnschedulable, tolerationsTolerateTaint, untoleratedTaintReason } from "./taints.js";

export const ReasonNodeBeingDeleted = "node(s) were being deleted";
export const ReasonNodeUnschedulable = "node(s) were unschedulable";
export const ReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
export const ReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
export const ReasonTooManyPods = "Too many pods";
export const ReasonInsufficientCPU = "Insufficient cpu";
export const ReasonInsufficientMemory = "Insufficient memory";

/**
 * Why a node was filtered out. `resolvable` says whether evicting pods could
 * help (upstream's Unschedulable vs UnschedulableAndUnresolvable), which
 * decides the preemption half of the message.
 */
export interface FilterFailure {
  reasons: string[];
  resolvable: boolean;
}

/** A pod compiled once for many node checks. */
export interface PodInfo {
  pod: Pod;
  key: string;
  contribution: PodContribution;
  tolerations: Toleration[];
  toleratesUnschedulable: boolean;
  requiredAffinity: NodeMatcher | undefined;
  preferredAffinity: WeightedMatcher[];
}

export function compilePod(pod: Pod): PodInfo {
  const tolerations = pod.spec?.tolerations ?? [];
  return {
    pod,
    key: podKey(pod),
    contribution: podContribution(pod),
    tolerations,
    toleratesUnschedulable: tolerationsTolerateTaint(tolerations, {
      key: TaintNodeUnschedulable,
      effect: "NoSchedule",
    }),
    requiredAffinity: compileRequiredNodeAffinity(pod),
    preferredAffinity: compilePreferredNodeAffinity(pod),
  };
}

const failBeingDeleted: FilterFailure = { reasons: [ReasonNodeBeingDeleted], resolvable: false };
const failUnschedulable: FilterFailure = { reasons: [ReasonNodeUnschedulable], resolvable: false };
const failAffinity: FilterFailure = { reasons: [ReasonNodeAffinity], resolvable: false };
const failPorts: FilterFailure = { reasons: [ReasonNodePorts], resolvable: true };

function untoleratedTaint(p: PodInfo, taints: readonly Taint[]): Taint | undefined {
  for (const taint of taints) {
    if (!tolerationsTolerateTaint(p.tolerations, taint)) return taint;
  }
  return undefined;
}

function portsConflict(p: PodInfo, n: NodeInfo): boolean {
  for (const hp of p.contribution.hostPorts) {
    const ips = n.usedPorts.get(hp.key);
    if (!ips || ips.size === 0) continue;
    // 0.0.0.0 collides with every address on the same protocol/port, and vice versa.
    if (hp.ip === BindAllHostIP || ips.has(BindAllHostIP) || ips.has(hp.ip)) return true;
  }
  return false;
}

/** NodeResourcesFit's reasons, in its order; empty when the pod fits. */
export function insufficientResources(c: PodContribution, n: NodeInfo): string[] {
  const reasons: string[] = [];
  if (n.requested.pods + 1 > n.allocatable.pods) reasons.push(ReasonTooManyPods);
  if (c.cpuMilli === 0 && c.memoryBytes === 0) return reasons;
  if (n.allocatable.cpuMilli < c.cpuMilli + n.requested.cpuMilli) reasons.push(ReasonInsufficientCPU);
  if (n.allocatable.memoryBytes < c.memoryBytes + n.requested.memoryBytes) reasons.push(ReasonInsufficientMemory);
  return reasons;
}

/**
 * Runs the filters for one node. Returns undefined when the pod fits. A pod
 * already counted on this node (same uid) is checked as if it were not there,
 * so re-checking a reservation is idempotent.
 */
export function filterNode(p: PodInfo, n: NodeInfo): FilterFailure | undefined {
  if (n.pods.has(p.key)) return undefined;
  if (n.deleting) return failBeingDeleted;
  if (n.unschedulable && !p.toleratesUnschedulable) return failUnschedulable;
  if (n.filterTaints.length > 0) {
    const taint = untoleratedTaint(p, n.filterTaints);
    if (taint) return { reasons: [untoleratedTaintReason(taint)], resolvable: false };
  }
  if (p.requiredAffinity && !p.requiredAffinity(n.labels, n.name)) return failAffinity;
  if (p.contribution.hostPorts.length > 0 && portsConflict(p, n)) return failPorts;
  const c = p.contribution;
  const fitsQuickly =
    n.requested.pods + 1 <= n.allocatable.pods &&
    n.allocatable.cpuMilli >= c.cpuMilli + n.requested.cpuMilli &&
    n.allocatable.memoryBytes >= c.memoryBytes + n.requested.memoryBytes;
  if (fitsQuickly) return undefined;
  const reasons = insufficientResources(c, n);
  return reasons.length === 0 ? undefined : { reasons, resolvable: true };
}
