/**
 * MetricsStore: the one place the control plane's counters and histograms add
 * up. Worker isolates and namespace stores count locally and hand over deltas
 * now and then (src/metrics/aggregate.ts); /metrics reads the totals here and
 * adds gauges it computes at scrape time. One small object, awake only while
 * deltas arrive or Prometheus scrapes.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { mergeDeltas, seriesKey, type SeriesDelta } from "../metrics/aggregate.js";

/** A per-isolate gauge not refreshed for this long belongs to an isolate that is gone. */
const GAUGE_TTL_MS = 120_000;
const MAX_BOUND_KEYS = 90;

export class MetricsStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, counts TEXT)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS gauges (source TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (source, name))`);
  }

  /** Adds counter/histogram deltas; sets the sender's own gauges (summed over live senders when read). */
  async record(deltas: SeriesDelta[], gauges?: { source: string; values: Record<string, number> }): Promise<void> {
    if (deltas.length) {
      const keys = [...new Set(deltas.map((d) => seriesKey(d.name, d.labels)))];
      const totals = new Map<string, SeriesDelta>();
      // Durable Object SQLite binds at most 100 parameters per statement.
      for (let i = 0; i < keys.length; i += MAX_BOUND_KEYS) {
        const chunk = keys.slice(i, i + MAX_BOUND_KEYS);
        for (const row of this.sql.exec<{ key: string; name: string; labels: string; value: number; counts: string | null }>(
          `SELECT key, name, labels, value, counts FROM series WHERE key IN (${chunk.map(() => "?").join(",")})`,
          ...chunk,
        ))
          totals.set(row.key, { name: row.name, labels: JSON.parse(row.labels), value: row.value, counts: row.counts ? JSON.parse(row.counts) : undefined });
      }
      mergeDeltas(totals, deltas);
      for (const [key, s] of totals)
        this.sql.exec(
          `INSERT OR REPLACE INTO series (key, name, labels, value, counts) VALUES (?, ?, ?, ?, ?)`,
          key,
          s.name,
          JSON.stringify(s.labels),
          s.value,
          s.counts ? JSON.stringify(s.counts) : null,
        );
    }
    if (gauges) {
      const now = Date.now();
      for (const [name, value] of Object.entries(gauges.values))
        this.sql.exec(`INSERT OR REPLACE INTO gauges (source, name, value, updated) VALUES (?, ?, ?, ?)`, gauges.source, name, value, now);
    }
  }

  async snapshot(): Promise<{ series: SeriesDelta[]; gauges: Record<string, number> }> {
    const series = this.sql
      .exec<{ name: string; labels: string; value: number; counts: string | null }>(`SELECT name, labels, value, counts FROM series ORDER BY key`)
      .toArray()
      .map((r) => ({ name: r.name, labels: JSON.parse(r.labels), value: r.value, counts: r.counts ? JSON.parse(r.counts) : undefined }));
    this.sql.exec(`DELETE FROM gauges WHERE updated < ?`, Date.now() - GAUGE_TTL_MS);
    const gauges: Record<string, number> = {};
    for (const r of this.sql.exec<{ name: string; total: number }>(`SELECT name, SUM(value) AS total FROM gauges GROUP BY name`)) gauges[r.name] = r.total;
    return { series, gauges };
  }
}
