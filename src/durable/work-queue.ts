/**
 * A de-duplicating work queue of controller keys with due times, in the
 * store's SQLite, drained by the store's one alarm (set to the earliest due
 * time). Enqueuing a key that is already queued keeps the earlier due time,
 * so a burst of writes costs one reconcile.
 */
export class WorkQueue {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS work_queue (key TEXT PRIMARY KEY, due INTEGER NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS work_queue_due ON work_queue (due)`);
  }

  enqueue(key: string, due: number): void {
    this.sql.exec(
      "INSERT INTO work_queue (key, due) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET due = MIN(due, excluded.due)",
      key,
      due,
    );
  }

  /** Removes and returns up to `max` keys due at `now`, earliest first. */
  takeDue(now: number, max: number): string[] {
    const keys = this.sql
      .exec<{ key: string }>("SELECT key FROM work_queue WHERE due <= ? ORDER BY due LIMIT ?", now, max)
      .toArray()
      .map((r) => r.key);
    for (const k of keys) this.sql.exec("DELETE FROM work_queue WHERE key = ?", k);
    return keys;
  }

  nextDue(): number | undefined {
    const row = this.sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM work_queue").one();
    return row.due ?? undefined;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM work_queue").one().n;
  }
}
