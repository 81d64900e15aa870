/**
 * A token bucket: `burst` requests at once, refilled at `qps` per second.
 * Pure, so the limiter object and its tests share the arithmetic.
 */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface Grant {
  granted: number;
  /** When nothing was granted: whole seconds until one request fits (Retry-After). */
  retryAfterSeconds?: number;
}

export function take(bucket: Bucket | undefined, want: number, qps: number, burst: number, now: number): { bucket: Bucket; grant: Grant } {
  const elapsed = bucket ? Math.max(0, now - bucket.at) / 1000 : Infinity;
  const tokens = Math.min(burst, (bucket?.tokens ?? burst) + elapsed * qps);
  const granted = Math.min(want, Math.floor(tokens));
  if (granted > 0) return { bucket: { tokens: tokens - granted, at: now }, grant: { granted } };
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / qps));
  return { bucket: { tokens, at: now }, grant: { granted: 0, retryAfterSeconds } };
}
