/**
 * The audit log: an append-only SQLite table in the cluster store, one row
 * per mutating request (an audit.k8s.io/v1 Event as JSON). Bounded: the
 * newest MAX_RECORDS rows of the last RETENTION_MS are kept; older ones are
 * pruned every PRUNE_EVERY appends so a single append stays cheap.
 */
import type { AuditEvent } from "../api/audit-event.js";

export const MAX_RECORDS = 100_000;
export const RETENTION_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY = 256;
export const MAX_PAGE = 5_000;

export interface AuditQuery {
  /** Only events at or after this time (ms since the epoch). */
  since?: number;
  /** Continue after this row id (the previous page's `continue`). */
  after?: number;
  limit?: number;
}

export interface AuditPage {
  items: AuditEvent[];
  /** Row id to pass as `after` for the next page, when there may be more. */
  continue?: number;
}

export class AuditTable {
  private appendsSincePrune = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly limits = { maxRecords: MAX_RECORDS, retentionMs: RETENTION_MS },
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, body TEXT NOT NULL)");
    sql.exec("CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time)");
  }

  append(events: AuditEvent[]): void {
    for (const e of events) {
      const t = Date.parse(e.requestReceivedTimestamp);
      this.sql.exec("INSERT INTO audit_log (time, body) VALUES (?, ?)", Number.isNaN(t) ? Date.now() : t, JSON.stringify(e));
    }
    this.appendsSincePrune += events.length;
    if (this.appendsSincePrune >= PRUNE_EVERY) this.prune();
  }

  prune(now = Date.now()): void {
    this.appendsSincePrune = 0;
    this.sql.exec("DELETE FROM audit_log WHERE time < ?", now - this.limits.retentionMs);
    const last = this.sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM audit_log").one().id;
    if (last !== null) this.sql.exec("DELETE FROM audit_log WHERE id <= ?", last - this.limits.maxRecords);
  }

  read(q: AuditQuery): AuditPage {
    const limit = Math.min(Math.max(1, q.limit ?? 500), MAX_PAGE);
    const rows = this.sql
      .exec<{ id: number; body: string }>(
        "SELECT id, body FROM audit_log WHERE id > ? AND time >= ? ORDER BY id LIMIT ?",
        q.after ?? 0,
        q.since ?? 0,
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => JSON.parse(r.body)),
      continue: rows.length > limit ? page[page.length - 1].id : undefined,
    };
  }
}
