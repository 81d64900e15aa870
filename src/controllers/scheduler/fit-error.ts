/**
 * The FailedScheduling message, formatted as upstream's FitError:
 *
 *   0/3 nodes are available: 2 Insufficient memory, 1 node(s) had untolerated
 *   taint {node.kubernetes.io/unreachable: }. preemption: 0/3 nodes are
 *   available: 3 Preemption is not helpful for scheduling.
 *
 * Reasons are "<count> <reason>" strings sorted as Go's sort.Strings sorts
 * them (byte order, so "10 x" sorts before "2 y", exactly as upstream prints).
 * This scheduler never preempts; the preemption half reports what upstream's
 * DefaultPreemption concludes when no pod has a lower priority to evict.
 */

export const ErrNoNodesAvailable = "no nodes available to schedule pods";
export const PreemptionNotHelpful = "Preemption is not helpful for scheduling";
export const NoPreemptionVictims = "No preemption victims found for incoming pod";

export interface Diagnosis {
  /** Reason → number of nodes that failed with it (a node may add several resource reasons). */
  reasons: Map<string, number>;
  /** Nodes that failed only for reasons evicting pods could fix (resources, ports). */
  resolvableNodes: number;
  /** Nodes that failed for reasons no eviction can fix (taints, affinity, cordon). */
  unresolvableNodes: number;
}

export function newDiagnosis(): Diagnosis {
  return { reasons: new Map(), resolvableNodes: 0, unresolvableNodes: 0 };
}

export function recordFailure(d: Diagnosis, reasons: readonly string[], resolvable: boolean): void {
  for (const r of reasons) d.reasons.set(r, (d.reasons.get(r) ?? 0) + 1);
  if (resolvable) d.resolvableNodes++;
  else d.unresolvableNodes++;
}

function histogram(counts: Iterable<[string, number]>): string {
  const parts: string[] = [];
  for (const [reason, n] of counts) parts.push(`${n} ${reason}`);
  parts.sort();
  return parts.join(", ");
}

/**
 * The full message for a pod no node accepted. `preemptionPolicy` "Never"
 * makes the pod ineligible to preempt, which upstream reports instead of a
 * per-node preemption histogram.
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis, preemptionPolicy?: string): string {
  if (numAllNodes === 0) return ErrNoNodesAvailable;
  let msg = `0/${numAllNodes} nodes are available:`;
  const filters = histogram(d.reasons);
  if (filters) msg += ` ${filters}.`;
  if (preemptionPolicy === "Never") {
    return `${msg} preemption: not eligible due to preemptionPolicy=Never.`;
  }
  const preemption: [string, number][] = [];
  if (d.unresolvableNodes > 0) preemption.push([PreemptionNotHelpful, d.unresolvableNodes]);
  if (d.resolvableNodes > 0) preemption.push([NoPreemptionVictims, d.resolvableNodes]);
  return `${msg} preemption: 0/${numAllNodes} nodes are available: ${histogram(preemption)}.`;
}
