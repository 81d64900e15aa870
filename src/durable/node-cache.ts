/**
 * A namespace store's copy of the cluster's Nodes, kept current by the
 * cluster store, and the cluster store's record of node health: Lease
 * renewals (heartbeats that do not rewrite the Node) and the channel
 * shards' liveness verdicts for nodes whose agents long-poll.
 *
 * In the cluster store the same copy records what the namespace stores were
 * last told, so a Node write that changes only heartbeat times reaches no
 * one (`nodeViewChanged`).
 */
import type { KubeObject } from "../schema/meta.js";
import type { Node } from "../schema/core.js";

export interface NodeChange {
  name: string;
  node: KubeObject | null;
}

/** A channel shard's verdict on a node: live since `at`, or silent since `at`. */
export interface NodeLivenessVerdict {
  live: boolean;
  at: number;
}

/**
 * A Node as its readers see it: everything but what each write or heartbeat
 * changes by itself (resourceVersion, managedFields, conditions' heartbeat
 * times). Allocatable, labels, taints, unschedulable, addresses and every
 * condition's status stay in.
 */
export function nodeView(node: KubeObject | null | undefined): string {
  if (!node) return "";
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = node.metadata ?? {};
  const conditions = (node.status?.conditions as Record<string, unknown>[] | undefined)?.map(({ lastHeartbeatTime: _hb, ...c }) => c);
  return JSON.stringify({ ...node, metadata, status: { ...(node.status ?? {}), ...(conditions ? { conditions } : {}) } });
}

/** Whether a Node write changed anything beyond heartbeat times (creations and deletions always do). */
export const nodeViewChanged = (before: KubeObject | null | undefined, after: KubeObject | null | undefined): boolean =>
  nodeView(before) !== nodeView(after);

export class NodeCache {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS node_cache (name TEXT PRIMARY KEY, body TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS node_heartbeats (name TEXT PRIMARY KEY, time INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS node_liveness (name TEXT PRIMARY KEY, live INTEGER NOT NULL, at INTEGER NOT NULL)`);
  }

  all(): Node[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM node_cache ORDER BY name")
      .toArray()
      .map((r) => JSON.parse(r.body));
  }

  get(name: string): Node | undefined {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM node_cache WHERE name = ?", name).toArray()[0];
    return row ? JSON.parse(row.body) : undefined;
  }

  apply(changes: NodeChange[]): void {
    for (const c of changes) {
      if (c.node) this.sql.exec("INSERT OR REPLACE INTO node_cache (name, body) VALUES (?, ?)", c.name, JSON.stringify(c.node));
      else this.sql.exec("DELETE FROM node_cache WHERE name = ?", c.name);
    }
  }

  setHeartbeat(name: string, time: number): void {
    this.sql.exec(
      "INSERT INTO node_heartbeats (name, time) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET time = MAX(time, excluded.time)",
      name,
      time,
    );
  }

  heartbeat(name: string): number | undefined {
    return this.sql.exec<{ time: number }>("SELECT time FROM node_heartbeats WHERE name = ?", name).toArray()[0]?.time;
  }

  /** Records a channel verdict; an older one than stored is ignored (batches from a retry can arrive late). */
  setLiveness(name: string, verdict: NodeLivenessVerdict): void {
    this.sql.exec(
      `INSERT INTO node_liveness (name, live, at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET live = excluded.live, at = excluded.at WHERE excluded.at >= node_liveness.at`,
      name,
      verdict.live ? 1 : 0,
      verdict.at,
    );
  }

  /**
   * The channel's verdict, for nodes whose agents long-poll; undefined for
   * nodes that prove liveness by Lease renewals only (kubelets, simulators).
   * Kept after a Node is deleted: its agent may register it again while
   * polling on, and the shard reports only transitions.
   */
  liveness(name: string): NodeLivenessVerdict | undefined {
    const row = this.sql.exec<{ live: number; at: number }>("SELECT live, at FROM node_liveness WHERE name = ?", name).toArray()[0];
    return row ? { live: row.live === 1, at: row.at } : undefined;
  }

  allLiveness(): Map<string, NodeLivenessVerdict> {
    return new Map(
      this.sql
        .exec<{ name: string; live: number; at: number }>("SELECT name, live, at FROM node_liveness")
        .toArray()
        .map((r) => [r.name, { live: r.live === 1, at: r.at }]),
    );
  }

  allHeartbeats(): Map<string, number> {
    return new Map(this.sql.exec<{ name: string; time: number }>("SELECT name, time FROM node_heartbeats").toArray().map((r) => [r.name, r.time]));
  }
}
