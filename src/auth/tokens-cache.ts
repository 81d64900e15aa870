/**
 * Positive token lookups remembered by one Worker isolate, so a busy client
 * does not cost a Durable Object call per request. Keyed by the token's hash
 * (the isolate never keeps a token), each entry lives for the TTL and never
 * past the token's own expiry. Revocation therefore reaches other isolates
 * within the TTL; the isolate that revokes forgets at once. Failed lookups
 * are not remembered: an unknown token always asks the store.
 */
export interface CachedIdentity {
  id: string;
  name: string;
  groups: string[];
}

interface Entry extends CachedIdentity {
  until: number;
}

export const DEFAULT_CACHE_SECONDS = 10;
/** Enough for every node and user of a large cluster; beyond it the oldest entry goes. */
const MAX_ENTRIES = 4096;

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(hash: string): CachedIdentity | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return { id: e.id, name: e.name, groups: [...e.groups] };
  }

  /** Remembers for `ttlMs`, but not past `expiresAt` (ms since epoch, null: no expiry). A TTL of 0 remembers nothing. */
  set(hash: string, identity: CachedIdentity, ttlMs: number, expiresAt: number | null): void {
    if (ttlMs <= 0) return;
    const until = Math.min(this.now() + ttlMs, expiresAt ?? Infinity);
    this.entries.delete(hash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { ...identity, groups: [...identity.groups], until });
  }

  /** Drops whatever this isolate remembers of the token with this id (after revoking it here). */
  forgetId(id: string): void {
    for (const [hash, e] of this.entries) if (e.id === id) this.entries.delete(hash);
  }

  /** Drops a node's credentials (after its Node is deleted through this isolate). */
  forgetUser(name: string): void {
    for (const [hash, e] of this.entries) if (e.name === name) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The TTL from the Worker's AUTH_CACHE_SECONDS (default 10, at most 10; "0" turns the cache off). */
export function cacheTtlMs(setting: string | undefined): number {
  if (setting === undefined || setting === "") return DEFAULT_CACHE_SECONDS * 1000;
  const seconds = Number(setting);
  if (!Number.isFinite(seconds) || seconds < 0) return DEFAULT_CACHE_SECONDS * 1000;
  return Math.min(seconds, DEFAULT_CACHE_SECONDS) * 1000;
}
