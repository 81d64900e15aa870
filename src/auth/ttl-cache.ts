/**
 * A small isolate-local cache with a time to live. Authorization reads
 * bindings, roles and pod placements on most requests; keeping them for a
 * few seconds in the Worker isolate saves a Durable Object call per request,
 * at the price of a change taking up to that long to reach other isolates.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value, or `load()`'s (concurrent callers share one load; a failed load is not kept). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    // Bounded: a burst of distinct keys evicts the oldest, never grows without limit.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    this.entries.set(key, { value, expires: t + this.ttlMs });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
