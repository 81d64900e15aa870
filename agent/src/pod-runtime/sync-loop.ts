/**
 * When the runtime syncs: on request (coalesced over a short window, so a
 * burst of Docker events becomes one sync), at a requested time (a backoff
 * expiring), and every resync interval regardless. Never two syncs at once;
 * a request during a sync runs one more right after. A failing sync is
 * logged once until it recovers.
 */
import type { Logger } from "../log.js";

export interface SyncLoopOptions {
  coalesceMs: number;
  resyncIntervalMs: number;
  log: Logger;
}

export class SyncLoop {
  private running = false;
  private syncing?: Promise<void>;
  private again = false;
  private scheduled = false;
  private requeueTimer?: NodeJS.Timeout;
  private requeueAt = Infinity;
  private resyncTimer?: NodeJS.Timeout;
  private lastError?: string;

  constructor(
    private readonly sync: () => Promise<void>,
    private readonly options: SyncLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.resyncTimer = setInterval(() => this.request(), this.options.resyncIntervalMs);
    this.request();
  }

  /** Stops scheduling and waits for a sync in progress. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.resyncTimer);
    clearTimeout(this.requeueTimer);
    this.requeueTimer = undefined;
    await this.syncing;
  }

  request(): void {
    if (!this.running) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.syncing ??= this.run();
    }, this.options.coalesceMs);
  }

  /** Syncs at `at` (epoch ms) at the latest; the earliest of several requests wins. */
  requestAt(at: number): void {
    if (!this.running || !Number.isFinite(at)) return;
    if (this.requeueTimer && this.requeueAt <= at) return;
    clearTimeout(this.requeueTimer);
    this.requeueAt = at;
    this.requeueTimer = setTimeout(() => {
      this.requeueTimer = undefined;
      this.requeueAt = Infinity;
      this.request();
    }, Math.max(0, at - Date.now()) + 5);
  }

  private async run(): Promise<void> {
    try {
      await this.sync();
      if (this.lastError) this.options.log("sync recovered");
      this.lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.options.log(`sync failed: ${message}`);
      this.lastError = message;
    } finally {
      this.syncing = undefined;
      if (this.again) {
        this.again = false;
        this.request();
      }
    }
  }
}
