/**
 * SQLite tables of one store (a namespace, or the cluster scope): the objects,
 * the change log that feeds watches, and the resourceVersion clock.
 *
 * resourceVersion is a hybrid logical clock in microseconds: max(last + 1,
 * now). It increases on every write inside one store, and stays roughly
 * ordered across stores, which lets a cluster-wide watch resume every
 * namespace from one number (see docs/architecture.md).
 */
import { KubeError } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { RECORD_PREFIX, isSealed } from "../crypto/envelope.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  rv: number;
  resource: string;
  type: ChangeType;
  object: KubeObject;
}

/** How many changes stay replayable for watches before older ones are compacted. */
export const CHANGE_LOG_LIMIT = 20_000;

/**
 * Resources whose rows (object and change log) are stored sealed: the whole
 * serialized object, since its annotations (last-applied-configuration)
 * repeat the data. Only the row key (resource, name) stays in the clear.
 */
export const SEALED_RESOURCES = new Set(["secrets"]);
const SEALED_LIST = [...SEALED_RESOURCES].map((r) => `'${r}'`).join(", ");

/** Seals and opens stored rows (a Keyring); `aad` names the row so a ciphertext cannot be moved to another. */
export interface RecordCipher {
  seal(plaintext: string, aad: string): string;
  open(stored: string, aad: string): string;
}

const objectAad = (resource: string, name: string) => `objects/${resource}/${name}`;
const changeAad = (rv: number) => `changes/${rv}`;

export class ObjectTable {
  private lastRv: number;
  private compactedRv: number;
  private writesSinceCompaction = 0;
  private cipher?: RecordCipher;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS objects (
      resource TEXT NOT NULL, name TEXT NOT NULL, rv INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (resource, name))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS changes (
      rv INTEGER PRIMARY KEY, resource TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    // Pods by node: the node channel needs each node's pods on every change.
    sql.exec(`CREATE INDEX IF NOT EXISTS pods_by_node ON objects (json_extract(body, '$.spec.nodeName')) WHERE resource = 'pods'`);
    this.lastRv = Number(this.meta("lastRv") ?? 0);
    if (this.lastRv === 0) {
      // A store never reports version 0: kubectl treats "0" as "any version".
      this.lastRv = Date.now() * 1000;
      this.setMeta("lastRv", String(this.lastRv));
    }
    this.compactedRv = Number(this.meta("compactedRv") ?? 0);
  }

  /** Seals the rows of SEALED_RESOURCES from now on; without a cipher they are refused, never stored in the clear. */
  protect(cipher: RecordCipher): void {
    this.cipher = cipher;
  }

  private requireCipher(): RecordCipher {
    if (!this.cipher) throw new KubeError(503, "ServiceUnavailable", "Secrets cannot be stored: this store has no encryption key (SECRETS_KEK)");
    return this.cipher;
  }

  /** A row's body as stored: JSON, sealed for SEALED_RESOURCES. */
  private encode(resource: string, json: string, aad: string): string {
    return SEALED_RESOURCES.has(resource) ? this.requireCipher().seal(json, aad) : json;
  }

  /** Rows written before encryption was on are plain JSON and still read. */
  private decode(body: string, aad: () => string): KubeObject {
    return JSON.parse(isSealed(body) ? this.requireCipher().open(body, aad()) : body);
  }

  meta(key: string): string | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  get currentRv(): number {
    return this.lastRv;
  }

  /** The oldest version a watch can still resume from. */
  get oldestResumableRv(): number {
    return this.compactedRv;
  }

  nextRv(): number {
    this.lastRv = Math.max(this.lastRv + 1, Date.now() * 1000);
    this.setMeta("lastRv", String(this.lastRv));
    return this.lastRv;
  }

  get(resource: string, name: string): KubeObject | undefined {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM objects WHERE resource = ? AND name = ?", resource, name)
      .toArray()[0];
    return row ? this.decode(row.body, () => objectAad(resource, name)) : undefined;
  }

  /** Objects of one resource in name order, starting after `afterName`. */
  list(resource: string, afterName = "", limit = -1): KubeObject[] {
    const rows = this.sql
      .exec<{ name: string; body: string }>(
        "SELECT name, body FROM objects WHERE resource = ? AND name > ? ORDER BY name LIMIT ?",
        resource,
        afterName,
        limit,
      )
      .toArray();
    return rows.map((r) => this.decode(r.body, () => objectAad(resource, r.name)));
  }

  podsOnNode(node: string): KubeObject[] {
    return this.sql
      .exec<{ body: string }>(
        // The planner prefers the primary key for ORDER BY and scans every pod; name the index.
        "SELECT body FROM objects INDEXED BY pods_by_node WHERE resource = 'pods' AND json_extract(body, '$.spec.nodeName') = ? ORDER BY name",
        node,
      )
      .toArray()
      .map((r) => JSON.parse(r.body));
  }

  nodesWithPods(): string[] {
    return this.sql
      .exec<{ node: string }>(
        "SELECT DISTINCT json_extract(body, '$.spec.nodeName') AS node FROM objects WHERE resource = 'pods' AND json_extract(body, '$.spec.nodeName') IS NOT NULL",
      )
      .toArray()
      .map((r) => r.node);
  }

  count(resource?: string): number {
    const row = resource
      ? this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects WHERE resource = ?", resource).one()
      : this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects").one();
    return row.n;
  }

  resources(): string[] {
    return this.sql
      .exec<{ resource: string }>("SELECT DISTINCT resource FROM objects")
      .toArray()
      .map((r) => r.resource);
  }

  /** Stores the object under a fresh resourceVersion and logs the change. */
  put(resource: string, object: KubeObject, type: Exclude<ChangeType, "DELETED">): KubeObject {
    const rv = this.nextRv();
    object.metadata.resourceVersion = String(rv);
    const name = object.metadata.name!;
    const json = JSON.stringify(object);
    this.sql.exec(
      "INSERT OR REPLACE INTO objects (resource, name, rv, body) VALUES (?, ?, ?, ?)",
      resource,
      name,
      rv,
      this.encode(resource, json, objectAad(resource, name)),
    );
    this.logChange(rv, resource, type, this.encode(resource, json, changeAad(rv)));
    return object;
  }

  /** Removes the object; the DELETED change carries it with the deletion's version, as Kubernetes does. */
  remove(resource: string, object: KubeObject): KubeObject {
    const rv = this.nextRv();
    object.metadata.resourceVersion = String(rv);
    this.sql.exec("DELETE FROM objects WHERE resource = ? AND name = ?", resource, object.metadata.name!);
    this.logChange(rv, resource, "DELETED", this.encode(resource, JSON.stringify(object), changeAad(rv)));
    return object;
  }

  /** Changes after `rv` in version order; the caller checked `oldestResumableRv`. */
  changesSince(rv: number, resource?: string): Change[] {
    const rows = resource
      ? this.sql
          .exec<{ rv: number; resource: string; type: ChangeType; body: string }>(
            "SELECT rv, resource, type, body FROM changes WHERE rv > ? AND resource = ? ORDER BY rv",
            rv,
            resource,
          )
          .toArray()
      : this.sql
          .exec<{ rv: number; resource: string; type: ChangeType; body: string }>(
            "SELECT rv, resource, type, body FROM changes WHERE rv > ? ORDER BY rv",
            rv,
          )
          .toArray();
    return rows.map((r) => ({ rv: r.rv, resource: r.resource, type: r.type, object: this.decode(r.body, () => changeAad(r.rv)) }));
  }

  /**
   * Re-seals up to `limit` rows of SEALED_RESOURCES that are not sealed with
   * `activeKey` (older keys, or rows from before encryption); returns how
   * many. Synchronous, so no write can slip in between read and re-seal.
   */
  resealBatch(activeKey: string, limit: number): number {
    const current = `${RECORD_PREFIX}${activeKey}:%`;
    const objects = this.sql
      .exec<{ resource: string; name: string; body: string }>(
        `SELECT resource, name, body FROM objects WHERE resource IN (${SEALED_LIST}) AND body NOT LIKE ? LIMIT ?`,
        current,
        limit,
      )
      .toArray();
    for (const r of objects) {
      const aad = objectAad(r.resource, r.name);
      const json = JSON.stringify(this.decode(r.body, () => aad));
      this.sql.exec("UPDATE objects SET body = ? WHERE resource = ? AND name = ?", this.encode(r.resource, json, aad), r.resource, r.name);
    }
    const changes = this.sql
      .exec<{ rv: number; resource: string; body: string }>(
        `SELECT rv, resource, body FROM changes WHERE resource IN (${SEALED_LIST}) AND body NOT LIKE ? LIMIT ?`,
        current,
        limit - objects.length,
      )
      .toArray();
    for (const r of changes) {
      const json = JSON.stringify(this.decode(r.body, () => changeAad(r.rv)));
      this.sql.exec("UPDATE changes SET body = ? WHERE rv = ?", this.encode(r.resource, json, changeAad(r.rv)), r.rv);
    }
    return objects.length + changes.length;
  }

  /** Ids of the data keys that sealed some stored row. */
  sealingKeys(): Set<string> {
    const ids = new Set<string>();
    const start = RECORD_PREFIX.length + 1;
    for (const table of ["objects", "changes"]) {
      const rows = this.sql
        .exec<{ id: string }>(
          `SELECT DISTINCT substr(body, ?, instr(substr(body, ?), ':') - 1) AS id FROM ${table} WHERE resource IN (${SEALED_LIST}) AND body LIKE ?`,
          start,
          start,
          `${RECORD_PREFIX}%`,
        )
        .toArray();
      for (const r of rows) ids.add(r.id);
    }
    return ids;
  }

  private logChange(rv: number, resource: string, type: ChangeType, body: string): void {
    this.sql.exec("INSERT INTO changes (rv, resource, type, body) VALUES (?, ?, ?, ?)", rv, resource, type, body);
    // Compact in batches so the common write pays nothing.
    if (++this.writesSinceCompaction >= 512) this.compact();
  }

  compact(limit = CHANGE_LOG_LIMIT): void {
    this.writesSinceCompaction = 0;
    const row = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM changes").one();
    if (row.n <= limit) return;
    const cut = this.sql
      .exec<{ rv: number }>("SELECT rv FROM changes ORDER BY rv DESC LIMIT 1 OFFSET ?", limit)
      .one().rv;
    this.sql.exec("DELETE FROM changes WHERE rv <= ?", cut);
    this.compactedRv = cut;
    this.setMeta("compactedRv", String(cut));
  }
}
