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
  /** A request made during a sync: the delay it asked for, run once the sync ends. */
  private again?: number;
  private scheduled?: NodeJS.Timeout;
  private scheduledAt = Infinity;
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
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    clearTimeout(this.requeueTimer);
    this.requeueTimer = undefined;
    await this.syncing;
  }

  /**
   * Asks for a sync within `delayMs` (the coalescing window by default). A
   * change the agent itself waits on (new desired state, its own work done)
   * asks for 0: gathering only pays for bursts of Docker events.
   */
  request(delayMs = this.options.coalesceMs): void {
    if (!this.running) return;
    if (this.syncing) {
      this.again = Math.min(this.again ?? Infinity, delayMs);
      return;
    }
    const at = Date.now() + delayMs;
    if (this.scheduled && this.scheduledAt <= at) return;
    clearTimeout(this.scheduled);
    this.scheduledAt = at;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.scheduledAt = Infinity;
      this.syncing ??= this.run();
    }, delayMs);
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
      if (this.again !== undefined) {
        const delayMs = this.again;
        this.again = undefined;
        this.request(delayMs);
      }
    }
  }
}
