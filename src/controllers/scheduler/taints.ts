/**
 * Taints and tolerations with upstream's matching rules (core/v1 helpers),
 * plus the well-known taints the node lifecycle controller derives from node
 * conditions. The scheduler, the node lifecycle (NoExecute eviction) and the
 * DaemonSet controller all read taints through these functions so the three
 * can never disagree about what a pod tolerates.
 */
import type { Node, Taint, Toleration } from "../../schema/core.js";

export const TaintNodeNotReady = "node.kubernetes.io/not-ready";
export const TaintNodeUnreachable = "node.kubernetes.io/unreachable";
export const TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
export const TaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
export const TaintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
export const TaintNodePIDPressure = "node.kubernetes.io/pid-pressure";
export const TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable";

/** The DefaultTolerationSeconds admission plugin's default (300 s). */
export const DefaultTolerationSeconds = 300;

type TaintEffect = Taint["effect"];

/** Toleration.ToleratesTaint: empty effect/key match any; empty operator means Equal. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean,
): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

export const isNoScheduleOrNoExecute = (t: Taint): boolean => t.effect === "NoSchedule" || t.effect === "NoExecute";

/** The scheduler's wording for a taint the pod does not tolerate. */
export const untoleratedTaintReason = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;

/**
 * GetMatchingTolerations for NoExecute taints: whether every taint is
 * tolerated, and the toleration that matched each (the first one, as upstream).
 */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
): { tolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations?.find((tol) => toleratesTaint(tol, taint));
    if (!t) return { tolerated: false, used: [] };
    used.push(t);
  }
  return { tolerated: true, used };
}

/**
 * getMinTolerationTime, in seconds: 0 evicts now, -1 means tolerated forever
 * (no used toleration carries tolerationSeconds).
 */
export function minTolerationSeconds(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min;
}

/**
 * What the DefaultTolerationSeconds admission plugin adds: not-ready and
 * unreachable NoExecute tolerations for 300 s, unless the pod already
 * tolerates that taint. Idempotent, so applying it to an admitted pod changes nothing.
 */
export function withDefaultTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const key of [TaintNodeNotReady, TaintNodeUnreachable]) {
    const covered = out.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === "NoExecute"));
    if (!covered) {
      out.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DefaultTolerationSeconds });
    }
  }
  return out;
}

/** AddOrUpdateDaemonPodTolerations: what every DaemonSet pod tolerates, as upstream adds. */
export function daemonSetPodTolerations(
  tolerations: readonly Toleration[] | undefined,
  hostNetwork: boolean,
): Toleration[] {
  const wanted: Toleration[] = [
    { key: TaintNodeNotReady, operator: "Exists", effect: "NoExecute" },
    { key: TaintNodeUnreachable, operator: "Exists", effect: "NoExecute" },
    { key: TaintNodeDiskPressure, operator: "Exists", effect: "NoSchedule" },
    { key: TaintNodeMemoryPressure, operator: "Exists", effect: "NoSchedule" },
    { key: TaintNodePIDPressure, operator: "Exists", effect: "NoSchedule" },
    { key: TaintNodeUnschedulable, operator: "Exists", effect: "NoSchedule" },
  ];
  if (hostNetwork) wanted.push({ key: TaintNodeNetworkUnavailable, operator: "Exists", effect: "NoSchedule" });
  const out = (tolerations ?? []).filter(
    (t) => !wanted.some((w) => w.key === t.key && w.effect === t.effect),
  );
  return [...out, ...wanted];
}

export function nodeCondition(node: Node, type: string) {
  return node.status?.conditions?.find((c) => c.type === type);
}

/**
 * The NoSchedule taints TaintNodesByCondition keeps in step with a node's
 * conditions and `spec.unschedulable`. Ready that is not True taints the node
 * not-ready (False, or never reported) or unreachable (Unknown).
 */
export function conditionTaints(node: Node): { key: string; effect: TaintEffect }[] {
  const out: { key: string; effect: TaintEffect }[] = [];
  const ready = nodeCondition(node, "Ready")?.status;
  if (ready === "Unknown") out.push({ key: TaintNodeUnreachable, effect: "NoSchedule" });
  else if (ready !== "True") out.push({ key: TaintNodeNotReady, effect: "NoSchedule" });
  if (nodeCondition(node, "MemoryPressure")?.status === "True") out.push({ key: TaintNodeMemoryPressure, effect: "NoSchedule" });
  if (nodeCondition(node, "DiskPressure")?.status === "True") out.push({ key: TaintNodeDiskPressure, effect: "NoSchedule" });
  if (nodeCondition(node, "PIDPressure")?.status === "True") out.push({ key: TaintNodePIDPressure, effect: "NoSchedule" });
  if (nodeCondition(node, "NetworkUnavailable")?.status === "True") {
    out.push({ key: TaintNodeNetworkUnavailable, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable) out.push({ key: TaintNodeUnschedulable, effect: "NoSchedule" });
  return out;
}

/** Keys whose NoSchedule taint the node lifecycle controller owns (it adds and removes only these). */
export const conditionTaintKeys: ReadonlySet<string> = new Set([
  TaintNodeNotReady,
  TaintNodeUnreachable,
  TaintNodeMemoryPressure,
  TaintNodeDiskPressure,
  TaintNodePIDPressure,
  TaintNodeNetworkUnavailable,
  TaintNodeUnschedulable,
]);

/**
 * Taints the scheduler filters on: the node's own, plus the not-ready /
 * unreachable NoSchedule taint its Ready condition implies when the node
 * lifecycle controller has not written it yet. Upstream leans on that
 * controller alone; implying it here closes the window in which a freshly
 * failed node would still receive pods.
 */
export function schedulingTaints(node: Node): Taint[] {
  const taints = node.spec?.taints ?? [];
  const ready = nodeCondition(node, "Ready")?.status;
  if (ready === "True") return taints;
  const key = ready === "Unknown" ? TaintNodeUnreachable : TaintNodeNotReady;
  if (taints.some((t) => t.key === key && t.effect === "NoSchedule")) return taints;
  return [...taints, { key, effect: "NoSchedule" }];
}
