/**
 * The node lifecycle controller (monitorNodeHealth + TaintNodesByCondition)
 * and the taint eviction controller, for one node:
 *
 * - A node whose heartbeat (Lease renewTime or the Ready condition's
 *   lastHeartbeatTime) is older than 40 s gets Ready=Unknown
 *   (`NodeStatusUnknown`), a `NodeNotReady` event, and its pods Ready=False.
 * - Conditions map to taints: Ready Unknown → unreachable, Ready False →
 *   not-ready (NoSchedule and NoExecute); pressure conditions and cordoning
 *   → their NoSchedule taints. Other taints are the user's and left alone.
 * - Pods on a NoExecute-tainted node are deleted once their toleration runs
 *   out (the admission default is 300 s for not-ready/unreachable).
 *
 * A node writes at most once per run (status or spec), because both writes
 * carry the same resourceVersion precondition; the second follows on the
 * next run, which is requested immediately.
 */
import type { Node, Pod, Taint } from "../schema/core.js";
import type { Condition } from "../schema/meta.js";
import type { Lease } from "../schema/networking.js";
import { formatTime, parseTime } from "./time.js";
import type { Action, ReconcileResult } from "./types.js";
import {
  TaintNodeNotReady,
  TaintNodeUnreachable,
  conditionTaintKeys,
  conditionTaints,
  matchingTolerations,
  minTolerationSeconds,
  nodeCondition,
  withDefaultTolerations,
} from "./scheduler/taints.js";

/** node-monitor-grace-period. */
export const NodeMonitorGracePeriod = 40_000;
/** node-startup-grace-period: how long a registered node may go without ever reporting. */
export const NodeStartupGracePeriod = 60_000;
/** Ask to run again right away: used when a second write to the node is pending. */
const Immediately = 1;

const NodeController = "node-controller";
const TaintEvictionController = "taint-eviction-controller";

/** Conditions the controller turns Unknown when the kubelet goes silent (not NetworkUnavailable). */
const kubeletConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/**
 * A delete of a namespaced object. `Action`'s delete carries no namespace;
 * pods evicted here live in many, so the namespace rides along for routing.
 */
export type NamespacedDelete = Extract<Action, { type: "delete" }> & { namespace: string };

export interface NodeLifecycleInput {
  node: Node;
  /** The node's Lease in kube-node-lease, if any. */
  lease?: Lease;
  now: number;
  /** Every pod bound to this node, across namespaces. */
  podsOnNode: Pod[];
  /** node-monitor-grace-period override (tests shorten it). */
  monitorGraceMs?: number;
  /**
   * Whether the node is silent, when someone else already decided it: pods
   * live in namespace stores, which follow the cluster store's verdict on
   * the Node rather than judging heartbeats themselves.
   */
  silent?: boolean;
}

/** The latest sign of life: Lease renewTime or the Ready condition's heartbeat. */
export function lastHeartbeat(node: Node, lease: Lease | undefined): number | undefined {
  const renew = parseTime(lease?.spec?.renewTime);
  const posted = parseTime(nodeCondition(node, "Ready")?.lastHeartbeatTime);
  if (renew === undefined) return posted;
  if (posted === undefined) return renew;
  return Math.max(renew, posted);
}

/** Conditions after the grace period has passed without a heartbeat. */
function unknownConditions(node: Node, now: string): Condition[] {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  for (const type of kubeletConditions) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        lastHeartbeatTime: node.metadata.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
    } else if (c.status !== "Unknown") {
      c.status = "Unknown";
      c.reason = "NodeStatusUnknown";
      c.message = "Kubelet stopped posting node status.";
      c.lastTransitionTime = now;
    }
  }
  return conditions;
}

const sameTaint = (a: Pick<Taint, "key" | "effect">, b: Pick<Taint, "key" | "effect">) =>
  a.key === b.key && a.effect === b.effect;

const managedTaint = (t: Taint) =>
  (t.effect === "NoSchedule" && conditionTaintKeys.has(t.key)) ||
  (t.effect === "NoExecute" && (t.key === TaintNodeNotReady || t.key === TaintNodeUnreachable));

/**
 * The taints the node should carry. `recovering` (a fresh heartbeat while
 * Ready is still the Unknown we wrote) drops the Ready-derived taints: the
 * node is back, and its agent restores Ready with its next status.
 */
function desiredTaints(node: Node, recovering: boolean, now: string): Taint[] {
  const wanted: Pick<Taint, "key" | "effect">[] = conditionTaints(node).filter(
    (t) => !(recovering && (t.key === TaintNodeUnreachable || t.key === TaintNodeNotReady)),
  );
  const ready = nodeCondition(node, "Ready")?.status;
  if (!recovering && ready === "Unknown") wanted.push({ key: TaintNodeUnreachable, effect: "NoExecute" });
  if (!recovering && ready === "False") wanted.push({ key: TaintNodeNotReady, effect: "NoExecute" });
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => !managedTaint(t) || wanted.some((w) => sameTaint(w, t)));
  for (const w of wanted) {
    if (!kept.some((t) => sameTaint(t, w))) kept.push({ key: w.key, effect: w.effect, timeAdded: now });
  }
  return kept;
}

const taintsEqual = (a: readonly Taint[], b: readonly Taint[]) =>
  a.length === b.length && a.every((t, i) => sameTaint(t, b[i]) && (t.value ?? "") === (b[i].value ?? ""));

function nodeEvent(node: Node, reason: string): Action {
  // Upstream records node events with the node's name as its uid; kubectl describe looks for both.
  const name = node.metadata.name ?? "";
  return {
    type: "event",
    involvedObject: { kind: "Node", apiVersion: "v1", name, uid: name },
    eventType: "Normal",
    reason,
    message: `Node ${name} status is now: ${reason}`,
    component: NodeController,
  };
}

interface PodPlan {
  markNotReady: boolean;
  evict: boolean;
  /** Milliseconds until the pod's toleration runs out, when it has not yet. */
  evictIn?: number;
}

/** When the taint eviction controller deletes the pod, given the node's NoExecute taints. */
function evictionPlan(pod: Pod, noExecute: Taint[], nowMs: number): Pick<PodPlan, "evict" | "evictIn"> {
  if (noExecute.length === 0 || pod.metadata.deletionTimestamp) return { evict: false };
  const { tolerated, used } = matchingTolerations(noExecute, withDefaultTolerations(pod.spec?.tolerations));
  if (!tolerated) return { evict: true };
  const seconds = minTolerationSeconds(used);
  if (seconds < 0) return { evict: false };
  // The eviction timer starts when the first NoExecute taint appeared, or when the pod arrived after it.
  const taintedSince = Math.min(...noExecute.map((t) => parseTime(t.timeAdded) ?? nowMs));
  const start = Math.max(taintedSince, parseTime(pod.metadata.creationTimestamp) ?? 0);
  const due = start + seconds * 1000;
  return due <= nowMs ? { evict: true } : { evict: false, evictIn: due - nowMs };
}

function podStatusUpdate(pod: Pod, plan: PodPlan, now: string): Pod | undefined {
  if (!plan.markNotReady && !plan.evict) return undefined;
  const conditions = (pod.status?.conditions ?? []).map((c) => ({ ...c }));
  if (plan.markNotReady) {
    const ready = conditions.find((c) => c.type === "Ready");
    if (ready) {
      ready.status = "False";
      ready.lastTransitionTime = now;
    }
  }
  if (plan.evict && !conditions.some((c) => c.type === "DisruptionTarget" && c.status === "True")) {
    conditions.push({
      type: "DisruptionTarget",
      status: "True",
      reason: "DeletionByTaintManager",
      message: "Taint manager: deleting due to NoExecute taint",
      lastTransitionTime: now,
    });
  }
  return { ...pod, status: { ...pod.status, conditions } };
}

export function reconcileNodeLifecycle({ node, lease, now, podsOnNode, monitorGraceMs, silent }: NodeLifecycleInput): ReconcileResult {
  const actions: Action[] = [];
  const nowText = formatTime(now);
  const readyBefore = nodeCondition(node, "Ready");
  const grace = readyBefore ? (monitorGraceMs ?? NodeMonitorGracePeriod) : Math.max(monitorGraceMs ?? 0, NodeStartupGracePeriod);
  const probe = lastHeartbeat(node, lease) ?? parseTime(node.metadata.creationTimestamp) ?? now;
  const stale = silent ?? now > probe + grace;
  const requeues: number[] = [];

  // 1. Status: the kubelet went silent.
  let observed = node;
  let nodeWritten = false;
  if (stale) {
    const conditions = unknownConditions(node, nowText);
    if (JSON.stringify(conditions) !== JSON.stringify(node.status?.conditions ?? [])) {
      observed = { ...node, status: { ...node.status, conditions } };
      actions.push({ type: "updateStatus", resource: "nodes", object: observed });
      nodeWritten = true;
      if (readyBefore?.status === "True") actions.push(nodeEvent(node, "NodeNotReady"));
    }
  } else if (silent === undefined) {
    requeues.push(probe + grace - now + 1);
  }

  // 2. Spec: taints follow the (possibly just updated) conditions.
  const recovering = !stale && nodeCondition(observed, "Ready")?.status === "Unknown";
  const taints = desiredTaints(observed, recovering, nowText);
  if (!taintsEqual(taints, node.spec?.taints ?? [])) {
    if (nodeWritten) requeues.push(Immediately);
    else actions.push({ type: "update", resource: "nodes", object: { ...node, spec: { ...node.spec, taints } } });
  }

  // 3. Pods: readiness while the node is silent, eviction under NoExecute taints.
  const noExecute = taints.filter((t) => t.effect === "NoExecute");
  for (const pod of podsOnNode) {
    const plan: PodPlan = {
      markNotReady: stale && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      ...evictionPlan(pod, noExecute, now),
    };
    if (plan.evictIn !== undefined) requeues.push(plan.evictIn);
    const updated = podStatusUpdate(pod, plan, nowText);
    if (updated) actions.push({ type: "updateStatus", resource: "pods", object: updated });
    if (plan.evict) {
      const ns = pod.metadata.namespace ?? "default";
      const del: NamespacedDelete = {
        type: "delete",
        resource: "pods",
        namespace: ns,
        name: pod.metadata.name ?? "",
        uid: pod.metadata.uid,
      };
      actions.push(del, {
        type: "event",
        involvedObject: { kind: "Pod", apiVersion: "v1", name: pod.metadata.name ?? "", namespace: ns, uid: pod.metadata.uid },
        eventType: "Normal",
        reason: "TaintManagerEviction",
        message: `Marking for deletion Pod ${ns}/${pod.metadata.name}`,
        component: TaintEvictionController,
      });
    }
  }

  const requeueAfter = requeues.length ? Math.min(...requeues) : undefined;
  return requeueAfter === undefined ? { actions } : { actions, requeueAfter };
}
