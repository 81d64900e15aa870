/**
 * Per-token request limits (docs/security.md "Request limits"): a request
 * rate (token bucket, 429 + Retry-After) and a cap on open watches and
 * long-polls. Both are counted in the token's RequestLimiter object, so they
 * hold across isolates. To keep that object off most requests, an isolate
 * takes a small lease of requests at a time, sized by how many it served in
 * its last lease (one for a quiet isolate, so small limits stay exact).
 */
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.js";
import { KubeError } from "../errors.js";
import type { AppEnv } from "./app.js";
import type { UserInfo } from "./auth.js";
import type { Grant, RequestLimiter, SlotGrant } from "../durable/request-limiter.js";

export const DEFAULT_QPS = 50;
export const DEFAULT_BURST = 100;
export const DEFAULT_WATCHES = 100;
const MAX_LEASE = 10;
const LEASE_MS = 1000;

export interface Limits {
  /** Undefined: the rate is not limited (system:masters, unless ADMIN_RATE_LIMIT_QPS is set). */
  rate?: { qps: number; burst: number };
  watches: number;
}

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && v !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};

/** system:masters is exempt from the rate by default, as the apiserver's exempt priority level does. */
export function limitsFor(user: UserInfo, env: Env): Limits {
  const watches = num(env.WATCH_LIMIT, DEFAULT_WATCHES);
  if (user.groups.includes("system:masters")) {
    if (!env.ADMIN_RATE_LIMIT_QPS) return { watches };
    const qps = num(env.ADMIN_RATE_LIMIT_QPS, DEFAULT_QPS);
    return { rate: { qps, burst: num(env.ADMIN_RATE_LIMIT_BURST, qps * 2) }, watches };
  }
  return { rate: { qps: num(env.RATE_LIMIT_QPS, DEFAULT_QPS), burst: num(env.RATE_LIMIT_BURST, DEFAULT_BURST) }, watches };
}

/** The key a token is counted under: its SHA-256, so no store ever holds a token. */
export async function tokenKey(request: Request): Promise<string | undefined> {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!m) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(m[1])));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Requests that hold a connection open (watches, log follows, agents' long-polls) and for how long at most. */
export function longRunning(method: string, url: URL): { ttlMs: number } | undefined {
  if (method !== "GET") return undefined;
  const q = url.searchParams;
  const watch = q.get("watch");
  if (watch === "true" || watch === "1" || url.pathname.includes("/watch/")) {
    const t = Number(q.get("timeoutSeconds"));
    return { ttlMs: ((t > 0 && t < 1800 ? t : 1800) + 60) * 1000 };
  }
  if (/^\/kubeflare\/v1\/nodes\/[^/]+\/desired$/.test(url.pathname)) return { ttlMs: 120_000 };
  if (/\/(log|exec|attach|portforward)$/.test(url.pathname) && (q.get("follow") === "true" || !url.pathname.endsWith("/log")))
    return { ttlMs: 3_600_000 };
  return undefined;
}

export const tooManyRequests = (retryAfterSeconds: number, message = "Too many requests, please try again later.") =>
  new KubeError(429, "TooManyRequests", message, { retryAfterSeconds });

type LimiterApi = Pick<RequestLimiter, "take" | "acquire" | "release">;
const limiter = (env: Env, key: string) =>
  env.REQUEST_LIMITER.get(env.REQUEST_LIMITER.idFromName(`token:${key}`)) as unknown as LimiterApi;

interface Lease {
  left: number;
  until: number;
  served: number;
}
const leases = new Map<string, Lease>();

async function admit(env: Env, key: string, rate: { qps: number; burst: number }): Promise<void> {
  const now = Date.now();
  const lease = leases.get(key);
  if (lease && lease.left > 0 && now < lease.until) {
    lease.left--;
    lease.served++;
    return;
  }
  const cap = Math.max(1, Math.min(MAX_LEASE, Math.floor(rate.burst / 10)));
  const want = Math.max(1, Math.min(cap, lease?.served ?? 1));
  const grant: Grant = await limiter(env, key).take(want, rate.qps, rate.burst);
  if (!grant.granted) {
    leases.delete(key);
    throw tooManyRequests(grant.retryAfterSeconds ?? 1);
  }
  if (leases.size > 10_000) leases.clear();
  leases.set(key, { left: grant.granted - 1, until: now + LEASE_MS, served: 1 });
}

/** Calls `done` once when the body ends, fails, or the client goes away. */
export function onStreamEnd(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    done();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) {
          controller.close();
          end();
        } else controller.enqueue(r.value);
      } catch (e) {
        controller.error(e);
        end();
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
}

/** Middleware after authentication: the rate first, then a slot for a request that stays open. */
export function requestLimits(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = await tokenKey(c.req.raw);
    if (!key) return next();
    const limits = limitsFor(c.get("user"), c.env);
    if (limits.rate) await admit(c.env, key, limits.rate);
    const hold = longRunning(c.req.method, new URL(c.req.url));
    if (!hold) return next();
    const slot = crypto.randomUUID();
    const stub = limiter(c.env, key);
    const granted: SlotGrant = await stub.acquire(slot, limits.watches, hold.ttlMs);
    if (!granted.ok) throw tooManyRequests(1, `Too many open watches and long-polls for this token (limit ${limits.watches}), please try again later.`);
    const release = () => {
      const p = stub.release(slot).catch(() => undefined);
      try {
        c.executionCtx.waitUntil(p);
      } catch {
        // No execution context left to extend (the request is over): the slot's expiry is the fallback.
      }
    };
    try {
      await next();
    } catch (e) {
      release();
      throw e;
    }
    const res = c.res;
    if (!res.body || res.status >= 300) {
      release();
      return;
    }
    c.res = new Response(onStreamEnd(res.body, release), res);
  };
}
