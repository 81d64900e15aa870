/**
 * The default profile's score plugins that matter without volumes or images,
 * with upstream's integer arithmetic, normalisation and weights:
 *
 *   NodeResourcesFit (LeastAllocated, cpu+memory)  weight 1
 *   NodeResourcesBalancedAllocation                weight 1
 *   TaintToleration (PreferNoSchedule)             weight 3
 *   NodeAffinity (preferred terms)                 weight 2
 *   PodTopologySpread (system default, hostname)   weight 2
 *
 * Spreading counts pods of the same controller (ownerReference uid) the way
 * the system-default hostname constraint (maxSkew 3, ScheduleAnyway) does.
 */
import type { PodInfo } from "./filters.js";
import type { NodeInfo } from "./node-info.js";
import { toleratesTaint } from "./taints.js";

export const MaxNodeScore = 100;

const WeightFit = 1;
const WeightBalanced = 1;
const WeightTaint = 3;
const WeightAffinity = 2;
const WeightSpread = 2;
/** maxSkew of the system-default hostname spread constraint. */
const DefaultHostnameMaxSkew = 3;

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MaxNodeScore) / capacity);
}

function leastAllocatedScore(p: PodInfo, n: NodeInfo): number {
  const c = p.contribution;
  const cpu = leastRequested(n.nonZeroRequested.cpuMilli + c.nonZeroCpuMilli, n.allocatable.cpuMilli);
  const mem = leastRequested(n.nonZeroRequested.memoryBytes + c.nonZeroMemoryBytes, n.allocatable.memoryBytes);
  return Math.floor((cpu + mem) / 2);
}

function balancedAllocationScore(p: PodInfo, n: NodeInfo): number {
  const c = p.contribution;
  const a = n.allocatable;
  const cpu = a.cpuMilli > 0 ? Math.min(1, (n.requested.cpuMilli + c.cpuMilli) / a.cpuMilli) : 1;
  const mem = a.memoryBytes > 0 ? Math.min(1, (n.requested.memoryBytes + c.memoryBytes) / a.memoryBytes) : 1;
  const std = Math.abs(cpu - mem) / 2;
  return Math.trunc((1 - std) * MaxNodeScore);
}

function intolerablePreferNoSchedule(p: PodInfo, n: NodeInfo): number {
  let count = 0;
  for (const taint of n.preferNoScheduleTaints) {
    let tolerated = false;
    for (const t of p.tolerations) {
      if ((!t.effect || t.effect === "PreferNoSchedule") && toleratesTaint(t, taint)) {
        tolerated = true;
        break;
      }
    }
    if (!tolerated) count++;
  }
  return count;
}

function preferredAffinitySum(p: PodInfo, n: NodeInfo): number {
  let sum = 0;
  for (const w of p.preferredAffinity) if (w.matches(n.labels, n.name)) sum += w.weight;
  return sum;
}

/** DefaultNormalizeScore: scale to 0..100 by the maximum, optionally reversed. */
function normalize(raw: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (raw[i] > max) max = raw[i];
  for (let i = 0; i < count; i++) {
    if (max === 0) {
      raw[i] = reverse ? MaxNodeScore : 0;
      continue;
    }
    const s = Math.floor((MaxNodeScore * raw[i]) / max);
    raw[i] = reverse ? MaxNodeScore - s : s;
  }
}

/** Scratch arrays reused across pods, so scoring allocates nothing per node. */
export class ScoreScratch {
  totals = new Float64Array(0);
  private taint = new Float64Array(0);
  private affinity = new Float64Array(0);
  private spread = new Float64Array(0);

  ensure(size: number): void {
    if (this.totals.length >= size) return;
    this.totals = new Float64Array(size);
    this.taint = new Float64Array(size);
    this.affinity = new Float64Array(size);
    this.spread = new Float64Array(size);
  }

  /** Fills `totals[0..count)` with the weighted score of each feasible node. */
  score(p: PodInfo, feasible: readonly NodeInfo[], count: number): Float64Array {
    this.ensure(count);
    const { totals, taint, affinity, spread } = this;
    const owner = p.contribution.ownerUid;
    const hasPreferNoSchedule = feasible.some((n, i) => i < count && n.preferNoScheduleTaints.length > 0);
    const hasAffinity = p.preferredAffinity.length > 0;
    // PodTopologySpread's weight for a hostname domain: log(number of nodes + 2).
    const spreadWeight = Math.log(count + 2);
    let minSpread = Infinity;
    let maxSpread = 0;
    for (let i = 0; i < count; i++) {
      const n = feasible[i];
      totals[i] = WeightFit * leastAllocatedScore(p, n) + WeightBalanced * balancedAllocationScore(p, n);
      taint[i] = hasPreferNoSchedule ? intolerablePreferNoSchedule(p, n) : 0;
      affinity[i] = hasAffinity ? preferredAffinitySum(p, n) : 0;
      if (owner) {
        const s = Math.round((n.ownerPods.get(owner) ?? 0) * spreadWeight + (DefaultHostnameMaxSkew - 1));
        spread[i] = s;
        if (s < minSpread) minSpread = s;
        if (s > maxSpread) maxSpread = s;
      }
    }
    normalize(taint, count, true);
    normalize(affinity, count, false);
    for (let i = 0; i < count; i++) {
      let s = totals[i] + WeightTaint * taint[i] + WeightAffinity * affinity[i];
      if (owner) {
        // PodTopologySpread's NormalizeScore: fewer matching pods, higher score.
        const norm =
          maxSpread === 0 ? MaxNodeScore : Math.floor((MaxNodeScore * (maxSpread + minSpread - spread[i])) / maxSpread);
        s += WeightSpread * norm;
      }
      totals[i] = s;
    }
    return totals;
  }
}

/**
 * selectHost: the highest total wins; equal totals are broken by reservoir
 * sampling, so each tied node is equally likely for a uniform `random`.
 */
export function selectHost(totals: Float64Array, count: number, random: () => number): number {
  let selected = 0;
  let ties = 1;
  for (let i = 1; i < count; i++) {
    if (totals[i] > totals[selected]) {
      selected = i;
      ties = 1;
    } else if (totals[i] === totals[selected]) {
      ties++;
      if (Math.floor(random() * ties) === 0) selected = i;
    }
  }
  return selected;
}
