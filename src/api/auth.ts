/**
 * Authentication: every request but the health probes carries
 * `Authorization: Bearer <token>`, and becomes a UserInfo (name, groups)
 * that authorization reasons about:
 *
 * - the admin token (Worker secret ADMIN_TOKEN): "admin" in system:masters;
 * - a user token: the user and groups it was created for;
 * - a node credential: system:node:<node> in system:nodes;
 * - a join token: system:bootstrap:<id> in system:bootstrappers, and only on
 *   the join endpoint (where it is spent); nothing else is accepted there.
 *
 * Tokens are looked up in the cluster store by id and SHA-256; positive
 * answers are remembered briefly (src/auth/tokens-cache.ts).
 */
import { KubeError } from "../errors.js";
import type { Env } from "../env.js";
import { clusterStore } from "../durable/stubs.js";
import { JOIN_PATH, bootstrapUser, hashToken, isExpired, parseToken } from "../auth/tokens.js";
import { TokenCache, cacheTtlMs } from "../auth/tokens-cache.js";

export interface UserInfo {
  name: string;
  groups: string[];
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

export const isPublicPath = (path: string) => PUBLIC_PATHS.has(path);

const ADMIN: UserInfo = { name: "admin", groups: ["system:masters", "system:authenticated"] };

/** This isolate's memory of recent token lookups; the token API makes it forget what it revokes. */
export const tokenCache = new TokenCache();

const unauthorized = () => new KubeError(401, "Unauthorized", "Unauthorized");

export function bearerToken(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

export async function authenticate(request: Request, env: Env): Promise<UserInfo> {
  const token = bearerToken(request);
  if (!token) throw unauthorized();
  if (new URL(request.url).pathname === JOIN_PATH) return authenticateJoin(token, env);
  if (env.ADMIN_TOKEN && (await tokensEqual(token, env.ADMIN_TOKEN))) return { name: ADMIN.name, groups: [...ADMIN.groups] };
  const parsed = parseToken(token);
  if (!parsed) throw unauthorized();
  const hash = await hashToken(token);
  const ttl = cacheTtlMs(env.AUTH_CACHE_SECONDS);
  const cached = ttl > 0 ? tokenCache.get(hash) : undefined;
  if (cached) return { name: cached.name, groups: [...cached.groups] };
  const record = await clusterStore(env).reviewToken(parsed.id, hash);
  // A join token is good for joining only.
  if (!record || record.type === "join" || !record.user || isExpired(record.expiresAt, Date.now())) throw unauthorized();
  const user = { name: record.user, groups: record.groups };
  tokenCache.set(hash, { id: record.id, ...user }, ttl, record.expiresAt);
  return { name: user.name, groups: [...user.groups] };
}

/** The join endpoint takes a live join token and nothing else (it is spent by the join itself, not here). */
async function authenticateJoin(token: string, env: Env): Promise<UserInfo> {
  const parsed = parseToken(token);
  if (!parsed) throw unauthorized();
  const record = await clusterStore(env).reviewToken(parsed.id, await hashToken(token));
  if (!record || record.type !== "join") throw unauthorized();
  return bootstrapUser(parsed.id);
}

/** Compares digests so the time taken says nothing about the token. */
async function tokensEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
