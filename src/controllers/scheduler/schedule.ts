/**
 * The scheduling cycle as a pure function: filter every node, score the
 * feasible ones, pick the best (random tie-break), and count the pod on the
 * chosen node in the cache so the next decision in the same run sees it.
 * Binding, the PodScheduled condition and events are the caller's writes.
 */
import type { Node, Pod } from "../../schema/core.js";
import { type Diagnosis, fitErrorMessage, newDiagnosis, recordFailure } from "./fit-error.js";
import { type PodInfo, compilePod, filterNode } from "./filters.js";
import {
  type NodeInfo,
  type NodeInfos,
  assumePod,
  buildNodeInfos,
  holdsNodeResources,
  newNodeInfo,
  podContribution,
  podKey,
} from "./node-info.js";
import { ScoreScratch, selectHost } from "./scores.js";

export interface ScheduleOptions {
  /** Uniform in [0, 1): breaks ties between equally scored nodes. */
  random: () => number;
}

export type ScheduleResult = { nodeName: string } | { unschedulable: string };

export const DefaultSchedulerName = "default-scheduler";

/**
 * Whether this scheduler should place the pod: unbound, not being deleted,
 * not finished, addressed to the default scheduler and free of scheduling gates.
 */
export function needsScheduling(pod: Pod): boolean {
  if (pod.spec?.nodeName) return false;
  if (pod.metadata.deletionTimestamp) return false;
  if (!holdsNodeResources(pod)) return false;
  const name = pod.spec?.schedulerName;
  if (name && name !== DefaultSchedulerName) return false;
  const gates = (pod.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates;
  return !gates || gates.length === 0;
}

/** One scheduling run's reusable buffers. */
class Cycle {
  private feasible: NodeInfo[] = [];
  private scratch = new ScoreScratch();

  constructor(
    private infos: NodeInfos,
    private random: () => number,
  ) {}

  schedule(p: PodInfo): ScheduleResult {
    const infos = this.infos;
    const already = infos.placements.get(p.key) ?? p.pod.spec?.nodeName;
    if (already) {
      assumePod(infos, already, p.key, p.contribution);
      return { nodeName: already };
    }
    const nodes = infos.list;
    const feasible = this.feasible;
    let count = 0;
    let diagnosis: Diagnosis | undefined;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const failure = filterNode(p, n);
      if (!failure) {
        feasible[count++] = n;
        continue;
      }
      recordFailure((diagnosis ??= newDiagnosis()), failure.reasons, failure.resolvable);
    }
    if (count === 0) {
      return { unschedulable: fitErrorMessage(nodes.length, diagnosis ?? newDiagnosis(), p.pod.spec?.preemptionPolicy) };
    }
    // Upstream skips scoring when only one node passed the filters.
    const chosen = count === 1 ? feasible[0] : feasible[selectHost(this.scratch.score(p, feasible, count), count, this.random)];
    assumePod(infos, chosen.name, p.key, p.contribution);
    return { nodeName: chosen.name };
  }
}

/**
 * Schedules one pod against all nodes, with `boundPods` (every pod already
 * bound, across all namespaces) counted against capacity.
 */
export function schedulePod(
  pod: Pod,
  nodes: readonly Node[],
  boundPods: readonly Pod[],
  opts: ScheduleOptions,
): ScheduleResult {
  return new Cycle(buildNodeInfos(nodes, boundPods), opts.random).schedule(compilePod(pod));
}

const priorityOf = (pod: Pod) => pod.spec?.priority ?? 0;
const createdAt = (pod: Pod) => Date.parse(pod.metadata.creationTimestamp ?? "") || 0;

/**
 * Schedules many pods in one run against a shared cache, counting each
 * placement before the next decision so the batch can never oversubscribe a
 * node. Pods are taken in the scheduling queue's order (higher priority
 * first, then older first); results line up with the input. The cache is
 * updated in place and stays valid for the next batch.
 */
export function scheduleBatch(pods: readonly Pod[], nodeInfos: NodeInfos, opts: ScheduleOptions): ScheduleResult[] {
  const order = pods.map((_, i) => i);
  order.sort((a, b) => priorityOf(pods[b]) - priorityOf(pods[a]) || createdAt(pods[a]) - createdAt(pods[b]) || a - b);
  const cycle = new Cycle(nodeInfos, opts.random);
  const results = new Array<ScheduleResult>(pods.length);
  for (const i of order) results[i] = cycle.schedule(compilePod(pods[i]));
  return results;
}

export type FitResult = { fits: true } | { fits: false; reasons: string[] };

/**
 * The per-node authority's check before it reserves capacity: does `pod` pass
 * every filter on `node` given the pods already reserved there? A pod that is
 * itself among `reservedPods` (same uid) is not counted against itself, so a
 * retried reservation is accepted again.
 */
export function fitsOnNode(pod: Pod, node: Node, reservedPods: readonly Pod[]): FitResult {
  const info = newNodeInfo(node);
  const self = podKey(pod);
  const infos: NodeInfos = { list: [info], byName: new Map([[info.name, info]]), placements: new Map() };
  for (const r of reservedPods) {
    const key = podKey(r);
    if (key === self || !holdsNodeResources(r)) continue;
    assumePod(infos, info.name, key, podContribution(r));
  }
  const failure = filterNode(compilePod(pod), info);
  return failure ? { fits: false, reasons: failure.reasons } : { fits: true };
}
