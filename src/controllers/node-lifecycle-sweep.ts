/**
 * The cluster store's half of the node lifecycle over the whole fleet, in
 * one key: each node's health comes from its channel shard's verdict when
 * its agent long-polls (the shard already waited out the grace period), or
 * from Lease renewals and Ready heartbeats otherwise (kubelets, simulated
 * nodes), which need looking at again as time passes.
 *
 * One sweep looks at every node and asks to run again when the earliest
 * heartbeat-tracked node could expire, but never sooner than half a grace
 * period, so a fleet costs one alarm per half grace period at most rather
 * than one per node. A node whose verdict changes is also reconciled on its
 * own at once (`reconcileNodeHealth`), so transitions do not wait for the sweep.
 */
import type { Node, Pod } from "../schema/core.js";
import type { Lease } from "../schema/networking.js";
import { NodeMonitorGracePeriod, reconcileNodeLifecycle } from "./node-lifecycle.js";
import type { Action, ReconcileResult } from "./types.js";

export const NODE_SWEEP_KEY = "nodelifecycle:";

export interface NodeHealth {
  node: Node;
  /** The channel shard's verdict, for nodes whose agents long-poll. */
  live?: boolean;
  /** Last Lease renewal (ms since the epoch), for nodes that renew Leases. */
  leaseRenewal?: number;
}

const leaseAt = (ms: number | undefined): Lease | undefined =>
  ms === undefined ? undefined : { metadata: {}, spec: { renewTime: new Date(ms).toISOString() } };

/**
 * One node, now. A `requeueAfter` of 1 means a second write to the node is
 * pending (one write per run); a longer one is when a heartbeat-tracked node
 * could go stale, which the sweep takes care of.
 */
export function reconcileNodeHealth(h: NodeHealth, now: number, monitorGraceMs?: number): ReconcileResult {
  return reconcileNodeLifecycle({
    node: h.node,
    lease: h.live === undefined ? leaseAt(h.leaseRenewal) : undefined,
    now,
    podsOnNode: [] as Pod[],
    monitorGraceMs,
    silent: h.live === undefined ? undefined : !h.live,
  });
}

export interface SweepResult {
  actions: Action[];
  /** Nodes with a second write pending, to reconcile again right away. */
  again: string[];
  /** When to sweep again; undefined when no node depends on time. */
  requeueAfter?: number;
}

export function sweepNodeLifecycle(fleet: NodeHealth[], now: number, monitorGraceMs?: number): SweepResult {
  const actions: Action[] = [];
  const again: string[] = [];
  let earliest = Infinity;
  for (const h of fleet) {
    const r = reconcileNodeHealth(h, now, monitorGraceMs);
    actions.push(...r.actions);
    if (r.requeueAfter === undefined) continue;
    if (r.requeueAfter <= 1) again.push(h.node.metadata.name ?? "");
    else earliest = Math.min(earliest, r.requeueAfter);
  }
  if (!Number.isFinite(earliest)) return { actions, again };
  return { actions, again, requeueAfter: Math.max(earliest, (monitorGraceMs ?? NodeMonitorGracePeriod) / 2) };
}
