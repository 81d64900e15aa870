/**
 * The DaemonSet controller (pkg/controller/daemon): one pod per eligible
 * node, pinned by node affinity and bound by the scheduler; pods leave nodes
 * that left or stopped matching; RollingUpdate replaces old-revision pods
 * within maxUnavailable, OnDelete waits for the user; status counts what it
 * observed in this pass.
 */
import type { DaemonSet } from "../schema/apps.js";
import type { Node, Pod } from "../schema/core.js";
import { claimObjects, selectorMatcher } from "./controller-ref.js";
import {
  byCreationAndBinding,
  daemonSetHash,
  daemonSetType,
  isPodUpdated,
  newDaemonPod,
  nodePlacementFor,
  podsByNode,
  type NodePlacement,
} from "./daemonset-pods.js";
import { derivedName, derivedSuffix } from "./derived-name.js";
import { eventAction } from "./events.js";
import { isPodAvailable, isPodReady, msUntilAvailable } from "./pod-state.js";
import type { Action, ReconcileResult } from "./types.js";

const COMPONENT = "daemonset-controller";
/** Upstream's burstReplicas: at most this many creates per sync. */
export const BurstReplicas = 250;

export interface DaemonSetInput {
  nodes: Node[];
  /** Pods of the DaemonSet's namespace. */
  pods: Pod[];
  now: number;
  /** 5-character name suffixes; derived from the DaemonSet, node and revision when omitted. */
  randomSuffix?: () => string;
}

type DSStatus = NonNullable<DaemonSet["status"]>;

/** intstr.GetScaledValueFromIntOrPercent, rounding up as the DaemonSet controller asks. */
export function scaledValue(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  const n = Number(value);
  return Number.isInteger(n) ? n : fallback;
}

/** updatedDesiredNodeCounts: maxUnavailable, bumped to 1 when it and maxSurge are both 0. */
export function maxUnavailableFor(ds: DaemonSet, desired: number): number {
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  const unavailable = scaledValue(ru?.maxUnavailable, desired, 1);
  const surge = scaledValue(ru?.maxSurge, desired, 0);
  return desired > 0 && unavailable === 0 && surge === 0 ? 1 : unavailable;
}

interface Plan {
  create: string[];
  delete: Pod[];
  failed: { pod: Pod; node: string }[];
}

/** podsShouldBeOnNode, for every node, plus daemon pods on nodes that no longer exist. */
function manage(nodes: Node[], byNode: Map<string, Pod[]>, placement: Map<string, NodePlacement>): Plan {
  const plan: Plan = { create: [], delete: [], failed: [] };
  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    const { shouldRun, shouldContinueRunning } = placement.get(name)!;
    const pods = byNode.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      plan.create.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        // A finished daemon pod is deleted; the next pass creates its replacement.
        if (phase === "Failed" || phase === "Succeeded") plan.failed.push({ pod, node: name });
        else running.push(pod);
      }
      running.sort(byCreationAndBinding);
      plan.delete.push(...running.slice(1));
    } else {
      plan.delete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
  }
  const known = new Set(nodes.map((n) => n.metadata.name));
  for (const [name, pods] of byNode) {
    if (!known.has(name)) plan.delete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
  }
  return plan;
}

/**
 * rollingUpdate without surge: old pods are deleted while the number of
 * unavailable daemon pods stays within maxUnavailable; old pods that are
 * unavailable anyway are always replaced. Creation of the new pod is the
 * next manage pass's job.
 */
export function rollingUpdateDeletes(
  ds: DaemonSet,
  hash: string,
  byNode: Map<string, Pod[]>,
  wanted: string[],
  now: number,
): Pod[] {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const maxUnavailable = maxUnavailableFor(ds, wanted.length);
  const nodeNames = [...new Set([...wanted, ...byNode.keys()])].sort();
  let unavailable = 0;
  const replaceAnyway: Pod[] = [];
  const candidates: Pod[] = [];
  for (const name of nodeNames) {
    const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const fresh = pods.filter((p) => isPodUpdated(p, hash));
    const old = pods.filter((p) => !isPodUpdated(p, hash));
    if (fresh.length > 1 || old.length > 1 || fresh.length === old.length) {
      // Nothing here, duplicates, or mid-replacement: manage sorts it out; it counts as unavailable.
      unavailable++;
    } else if (fresh.length === 1) {
      if (!isPodAvailable(fresh[0], minReady, now)) unavailable++;
    } else if (!isPodAvailable(old[0], minReady, now)) {
      // Replacing it costs no availability, but it is already unavailable and spends the budget.
      replaceAnyway.push(old[0]);
      unavailable++;
    } else {
      candidates.push(old[0]);
    }
  }
  const budget = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  return [...replaceAnyway, ...candidates.slice(0, budget)];
}

/** updateDaemonSetStatus, with upstream's field presence (the first four always, the rest when non-zero). */
export function daemonSetStatus(
  ds: DaemonSet,
  nodes: Node[],
  byNode: Map<string, Pod[]>,
  placement: Map<string, NodePlacement>,
  hash: string,
  now: number,
): DSStatus {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    const pods = byNode.get(name) ?? [];
    if (!placement.get(name)!.shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(byCreationAndBinding)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
    if (isPodUpdated(pod, hash)) updated++;
  }
  const status: DSStatus = {
    ...(ds.status ?? {}),
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
  };
  const optional = {
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  for (const [key, value] of Object.entries(optional) as [keyof typeof optional, number | undefined][]) {
    if (value) status[key] = value;
    else delete status[key];
  }
  return status;
}

export function reconcileDaemonSet(ds: DaemonSet, input: DaemonSetInput): ReconcileResult {
  const { nodes, now } = input;
  const actions: Action[] = [];
  const matcher = selectorMatcher(ds.spec.selector);
  if (!matcher || ds.metadata.deletionTimestamp) return { actions };

  const claim = claimObjects(ds, daemonSetType, matcher, input.pods);
  for (const pod of claim.updates) actions.push({ type: "update", resource: "pods", object: pod });
  const hash = daemonSetHash(ds);
  const byNode = podsByNode(claim.owned);
  const placementOf = nodePlacementFor(ds);
  const placement = new Map(nodes.map((n) => [n.metadata.name ?? "", placementOf(n)]));
  const event = (type: "Normal" | "Warning", reason: string, message: string) =>
    actions.push(eventAction(ds, daemonSetType, type, reason, message, COMPONENT));

  const plan = manage(nodes, byNode, placement);
  const taken = new Set(input.pods.map((p) => p.metadata.name));
  for (const node of plan.create.slice(0, BurstReplicas)) {
    const name = podName(ds, node, hash, taken, input.randomSuffix);
    const pod = newDaemonPod(ds, hash, node, name);
    actions.push({ type: "create", resource: "pods", object: pod });
    event("Normal", "SuccessfulCreate", `Created pod: ${name}`);
  }
  const remove = (pod: Pod) => {
    actions.push({ type: "delete", resource: "pods", name: pod.metadata.name ?? "", uid: pod.metadata.uid });
    event("Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
  };
  for (const { pod, node } of plan.failed) {
    const ns = pod.metadata.namespace ?? ds.metadata.namespace;
    event("Warning", "FailedDaemonPod", `Found failed daemon pod ${ns}/${pod.metadata.name} on node ${node}, will try to kill it`);
    remove(pod);
  }
  plan.delete.forEach(remove);

  // Like upstream's expectations: the rollout waits until this pass's creates and deletes have landed.
  const managed = plan.create.length + plan.failed.length + plan.delete.length > 0;
  const strategy = ds.spec.updateStrategy?.type ?? "RollingUpdate";
  if (!managed && strategy === "RollingUpdate") {
    const wanted = nodes.filter((n) => placement.get(n.metadata.name ?? "")!.shouldRun).map((n) => n.metadata.name ?? "");
    rollingUpdateDeletes(ds, hash, byNode, wanted, now).forEach(remove);
  }

  const status = daemonSetStatus(ds, nodes, byNode, placement, hash, now);
  if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
    actions.push({ type: "updateStatus", resource: "daemonsets", object: { ...ds, status } });
  }
  // A ready pod turns available minReadySeconds later with no write to wake us.
  const waits = claim.owned
    .map((p) => msUntilAvailable(p, ds.spec.minReadySeconds ?? 0, now))
    .filter((ms): ms is number => ms !== undefined);
  return waits.length ? { actions, requeueAfter: Math.min(...waits) } : { actions };
}

function podName(ds: DaemonSet, node: string, hash: string, taken: Set<string | undefined>, random?: () => string): string {
  const seed = `${ds.metadata.uid}/${node}/${hash}`;
  return derivedName(`${ds.metadata.name}-`, taken, (attempt) => (random ? random() : derivedSuffix(`${seed}/${attempt}`)));
}
