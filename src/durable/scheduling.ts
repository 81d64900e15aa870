/**
 * One scheduling round of a namespace: place its pending pods against a
 * snapshot of the cluster (nodes and every reservation), then ask the
 * capacity ledger to reserve each choice. Only granted reservations are
 * bound; the rest wait for the next round.
 */
import type { KubeObject } from "../schema/meta.js";
import { observeSchedulingAttempts } from "../metrics/scheduler.js";
import type { Node, Pod } from "../schema/core.js";
import { type ScheduleResult, buildNodeInfos, needsScheduling, scheduleBatch } from "../controllers/scheduler/index.js";
import type { Reservation, ReservationResult } from "./capacity-ledger.js";

export interface SchedulingSnapshot {
  nodes: Node[];
  reserved: Pod[];
}

export interface ClusterScheduling {
  schedulingSnapshot(): Promise<SchedulingSnapshot>;
  reserve(requests: Reservation[]): Promise<ReservationResult[]>;
}

export interface SchedulingRound {
  bound: { pod: KubeObject; node: string }[];
  unschedulable: { pod: KubeObject; message: string }[];
  /** Pods placed but refused by the ledger (a race lost): retry soon. */
  raced: number;
  /** More pods were pending than one round takes. */
  more: boolean;
}

/** Pods scheduled per round, so one alarm run stays well under its CPU budget. */
export const MAX_PODS_PER_ROUND = 1000;

export interface RoundOptions {
  /**
   * The scheduler benchmark's baseline (Worker var SCHEDULER_BASELINE=1):
   * the same round with filtering and scoring replaced by round-robin. The
   * ledger still has the last word, so a full node refuses the pod.
   */
  baseline?: boolean;
}

/** upstream's ErrNoNodesAvailable. */
const NoNodesAvailable = "no nodes available to schedule pods";

// The baseline's round-robin position, kept across rounds so successive
// rounds sweep every node instead of starting again at the first.
let baselineCursor = 0;

function roundRobin(pending: Pod[], nodes: Node[]): ScheduleResult[] {
  return pending.map(() => (nodes.length ? { nodeName: nodes[baselineCursor++ % nodes.length].metadata.name! } : { unschedulable: NoNodesAvailable }));
}

export async function scheduleRound(
  pods: KubeObject[],
  cluster: ClusterScheduling,
  random: () => number,
  opts: RoundOptions = {},
): Promise<SchedulingRound> {
  // Pods already found unschedulable go last, so one round of them cannot starve the rest (upstream's unschedulable queue).
  const all = (pods as Pod[]).filter(needsScheduling);
  const waiting = (p: Pod) => p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False") ?? false;
  const pending = [...all.filter((p) => !waiting(p)), ...all.filter(waiting)].slice(0, MAX_PODS_PER_ROUND);
  const round: SchedulingRound = { bound: [], unschedulable: [], raced: 0, more: all.length > pending.length };
  if (!pending.length) return round;
  const started = Date.now();
  const snapshot = await cluster.schedulingSnapshot();
  const results = opts.baseline
    ? roundRobin(pending, snapshot.nodes)
    : scheduleBatch(pending, buildNodeInfos(snapshot.nodes, snapshot.reserved), { random });
  const requests: Reservation[] = [];
  results.forEach((r, i) => {
    const pod = pending[i] as KubeObject;
    if ("nodeName" in r)
      requests.push({ uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name!, node: r.nodeName, pod });
    else round.unschedulable.push({ pod, message: r.unschedulable });
  });
  if (!requests.length) {
    observeSchedulingAttempts("unschedulable", round.unschedulable.length, (Date.now() - started) / 1000);
    return round;
  }
  const granted = await cluster.reserve(requests);
  granted.forEach((g, i) => {
    if (g.granted) round.bound.push({ pod: requests[i].pod, node: requests[i].node });
    else round.raced++;
  });
  const seconds = (Date.now() - started) / 1000;
  observeSchedulingAttempts("scheduled", round.bound.length, seconds);
  observeSchedulingAttempts("unschedulable", round.unschedulable.length, seconds);
  observeSchedulingAttempts("error", round.raced, seconds);
  return round;
}
