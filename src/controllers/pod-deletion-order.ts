/**
 * Which pods a ReplicaSet deletes first when scaling down: upstream's
 * controller.ActivePodsWithRanks ordering (LogarithmicScaleDown and
 * PodDeletionCost both on, as in 1.32), so the least useful pods go first.
 */
import type { Pod } from "../schema/core.js";
import { isPodActive, isPodReady, podReadySince } from "./pod-state.js";
import { parseTime } from "./time.js";

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const ordinal = (pod: Pod) => phaseOrdinal[pod.status?.phase ?? ""] ?? 0;

const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

function deletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[DELETION_COST];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) ? n : 0;
}

const maxContainerRestarts = (pod: Pod) =>
  Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));

/** afterOrZero: a missing time sorts first, otherwise the later time does. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** logarithmicRankDiff: compare ages by floor(log2(nanoseconds)), so similar ages tie. */
function logRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(t1) - rank(t2);
}

function compareTimes(a: Pod, b: Pod, t1: number | undefined, t2: number | undefined, now: number): number {
  if (t1 === t2) return 0;
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2) ? -1 : 1;
  const diff = logRankDiff(t1, t2, now);
  if (diff !== 0) return diff < 0 ? -1 : 1;
  const ua = a.metadata.uid ?? "";
  const ub = b.metadata.uid ?? "";
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Negative when `a` should be deleted before `b`. */
function compare(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const na = a.spec.nodeName ?? "";
  const nb = b.spec.nodeName ?? "";
  if (na !== nb && (na === "" || nb === "")) return na === "" ? -1 : 1;
  if (ordinal(a) !== ordinal(b)) return ordinal(a) - ordinal(b);
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (rankA !== rankB) return rankB - rankA;
  if (isPodReady(a) && isPodReady(b)) {
    const c = compareTimes(a, b, podReadySince(a), podReadySince(b), now);
    if (c !== 0) return c;
  }
  if (maxContainerRestarts(a) !== maxContainerRestarts(b)) return maxContainerRestarts(b) - maxContainerRestarts(a);
  return compareTimes(a, b, parseTime(a.metadata.creationTimestamp), parseTime(b.metadata.creationTimestamp), now);
}

/**
 * getPodsToDelete: the `count` pods to delete first. A pod's rank is the
 * number of active `relatedPods` on its node, so doubled-up pods go first.
 */
export function podsToDelete(pods: Pod[], count: number, now: number, relatedPods: Pod[] = pods): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (isPodActive(p)) onNode.set(p.spec.nodeName ?? "", (onNode.get(p.spec.nodeName ?? "") ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? "") ?? 0 }));
  ranked.sort((x, y) => compare(x.pod, y.pod, x.rank, y.rank, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
