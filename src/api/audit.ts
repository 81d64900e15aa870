/**
 * Audit middleware: every mutating request (create, update, patch, delete,
 * subresources, kubeflare's own endpoints) becomes an audit Event in the
 * cluster store's audit log. Events are written after the answer is sent
 * (waitUntil), and an isolate's events travel in batches: while one write is
 * in flight, later events gather and go together in the next.
 */
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.js";
import type { AppEnv } from "./app.js";
import { auditEvent, isMutating, type AuditEvent } from "./audit-event.js";
import type { ResourceStore } from "../durable/resource-store.js";

type AuditApi = Pick<ResourceStore, "appendAudit" | "readAudit">;

export const auditStore = (env: Env) => env.STORE.get(env.STORE.idFromName("cluster")) as unknown as AuditApi;

/** Batches of one isolate, one per Worker environment (tests run several). */
class AuditSink {
  private pending: AuditEvent[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly env: Env) {}

  add(e: AuditEvent): Promise<void> {
    this.pending.push(e);
    return (this.flushing ??= this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 500);
        try {
          await auditStore(this.env).appendAudit(batch);
        } catch (err) {
          // The answer was already sent; losing the record is logged rather than retried forever.
          console.error(`audit: ${batch.length} events not written:`, err instanceof Error ? err.message : err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

const sinks = new WeakMap<Env, AuditSink>();

export function audit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isMutating(c.req.method)) return next();
    const received = new Date();
    let code = 500;
    try {
      await next();
      code = c.res.status;
    } finally {
      const event = auditEvent({ request: c.req.raw, user: c.get("user"), code, received, completed: new Date(), auditID: crypto.randomUUID() });
      let sink = sinks.get(c.env);
      if (!sink) sinks.set(c.env, (sink = new AuditSink(c.env)));
      const written = sink.add(event);
      try {
        c.executionCtx.waitUntil(written);
      } catch {
        await written;
      }
    }
  };
}
