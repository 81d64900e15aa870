/**
 * RequestLimiter: one object per bearer token (named by the token's SHA-256,
 * never the token), so its limits hold across every Worker isolate: a token
 * bucket for the request rate, and the token's open watches and long-polls.
 *
 * The bucket lives in memory: the object is evicted only after idling, and
 * an idle bucket is full anyway. Watch slots are in SQLite, since a slot
 * outlives many idle periods; each has an expiry, so a slot whose release
 * was lost (a Worker cut off mid-stream) frees itself.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { take, type Bucket, type Grant } from "./token-bucket.js";

export type { Grant };

export interface SlotGrant {
  ok: boolean;
  open: number;
}

export class RequestLimiter extends DurableObject<Env> {
  private bucket?: Bucket;
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS slots (id TEXT PRIMARY KEY, expires INTEGER NOT NULL)");
  }

  /** Takes up to `want` requests from the bucket; the limits travel with the call so configuration stays in the Worker. */
  async take(want: number, qps: number, burst: number): Promise<Grant> {
    const r = take(this.bucket, want, qps, burst, Date.now());
    this.bucket = r.bucket;
    return r.grant;
  }

  /** Opens a watch/long-poll slot `id` for at most `ttlMs`, unless `max` are already open. */
  async acquire(id: string, max: number, ttlMs: number): Promise<SlotGrant> {
    const now = Date.now();
    this.sql.exec("DELETE FROM slots WHERE expires <= ?", now);
    const open = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM slots").one().n;
    if (open >= max) return { ok: false, open };
    this.sql.exec("INSERT OR REPLACE INTO slots (id, expires) VALUES (?, ?)", id, now + ttlMs);
    return { ok: true, open: open + 1 };
  }

  async release(id: string): Promise<void> {
    this.sql.exec("DELETE FROM slots WHERE id = ?", id);
  }
}
