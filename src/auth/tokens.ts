/**
 * Bearer tokens other than the admin's: their format, hashing and the
 * identities they stand for. Pure (Web Crypto only), shared by the Worker,
 * the cluster store and the tests.
 *
 * Every token looks like a Kubernetes bootstrap token, `<id>.<secret>`
 * (6 + 16 characters of [a-z0-9]): the id names a token in lists and
 * revocations without revealing it; only the SHA-256 of the whole token is
 * ever stored.
 */

export type TokenType = "user" | "node" | "join";

export interface ParsedToken {
  id: string;
  secret: string;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
export const TOKEN_ID_LENGTH = 6;
export const TOKEN_SECRET_LENGTH = 16;
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;

/** Where agents exchange a join token for a node credential; the only place a join token is accepted. */
export const JOIN_PATH = "/kubeflare/v1/join";

/** Join tokens live a day unless their creator says otherwise, as kubeadm's do. */
export const DEFAULT_JOIN_TOKEN_SECONDS = 24 * 60 * 60;

/** Random [a-z0-9] characters, unbiased: bytes past the last whole multiple of 36 are drawn again. */
export function randomChars(length: number, random: (bytes: Uint8Array) => void = (b) => crypto.getRandomValues(b)): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  const buffer = new Uint8Array(length * 2);
  while (out.length < length) {
    random(buffer);
    for (const byte of buffer) {
      if (byte >= limit) continue;
      out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateToken(): { id: string; token: string } {
  const id = randomChars(TOKEN_ID_LENGTH);
  return { id, token: `${id}.${randomChars(TOKEN_SECRET_LENGTH)}` };
}

/** The id and secret of a well-formed token; undefined for anything else (the admin token, garbage). */
export function parseToken(token: string): ParsedToken | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** Lowercase hex SHA-256 of the whole token: what storage keeps instead of the token. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Equal-length strings compared without an early exit, so the time taken says nothing about where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Expired at `now` (ms since epoch); a token without an expiry never is. */
export const isExpired = (expiresAt: number | null | undefined, now: number) => expiresAt != null && expiresAt <= now;

// ---- identities (the names RBAC and NodeRestriction reason about) --------

export const AUTHENTICATED_GROUP = "system:authenticated";
export const NODES_GROUP = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";

export const nodeUser = (nodeName: string) => ({ name: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP, AUTHENTICATED_GROUP] });

/** Who presents a join token, named as upstream names bootstrap-token holders. */
export const bootstrapUser = (id: string) => ({ name: `system:bootstrap:${id}`, groups: [BOOTSTRAPPERS_GROUP, AUTHENTICATED_GROUP] });

/** A user token's groups as requests see them: every authenticated identity is in system:authenticated. */
export function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? groups : [...groups, AUTHENTICATED_GROUP];
}

/** A stored token as everyone but the table sees it: never its hash, never its secret. */
export interface TokenRecord {
  id: string;
  type: TokenType;
  /** The user a user token authenticates as; for a node credential, system:node:<node>. */
  user?: string;
  groups: string[];
  /** The Node a node credential belongs to. */
  node?: string;
  /** Who created it (the join token's bootstrap user for node credentials). */
  createdBy?: string;
  description?: string;
  /** ms since epoch. */
  createdAt: number;
  expiresAt: number | null;
  /** Join tokens: joins left. */
  usesRemaining?: number;
}
