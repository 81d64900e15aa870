/**
 * Effects of writes that reach other Durable Objects, gathered while a call
 * writes and sent once it is done: namespace phases (cluster → namespace
 * stores), node shares (→ node channels), capacity releases and heartbeats
 * (→ cluster store), node changes (cluster → every namespace store).
 */
import type { KubeObject } from "../schema/meta.js";
import type { NamespacePhase } from "./namespace-lifecycle.js";

export class Effects {
  readonly phases = new Map<string, NamespacePhase | null>();
  readonly dirtyNodes = new Set<string>();
  readonly releases = new Set<string>();
  readonly heartbeats = new Map<string, number>();
  readonly nodeChanges = new Map<string, KubeObject | null>();
  /** uids of deleted Services whose cluster IP and node ports go back to the cluster store's ledger. */
  readonly serviceReleases = new Set<string>();

  /** Takes the pending entries of one kind, leaving it empty. */
  static drain<K, V>(m: Map<K, V>): [K, V][];
  static drain<K>(s: Set<K>): K[];
  static drain(c: Map<unknown, unknown> | Set<unknown>): unknown[] {
    const out = [...c];
    c.clear();
    return out;
  }
}
