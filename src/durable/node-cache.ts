/**
 * A namespace store's copy of the cluster's Nodes, kept current by the
 * cluster store, and the cluster store's record of node heartbeats (Lease
 * renewals, which do not rewrite the Node).
 */
import type { KubeObject } from "../schema/meta.js";
import type { Node } from "../schema/core.js";

export interface NodeChange {
  name: string;
  node: KubeObject | null;
}

export class NodeCache {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS node_cache (name TEXT PRIMARY KEY, body TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS node_heartbeats (name TEXT PRIMARY KEY, time INTEGER NOT NULL)`);
  }

  all(): Node[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM node_cache ORDER BY name")
      .toArray()
      .map((r) => JSON.parse(r.body));
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
}
