/**
 * Whether the control plane is reachable, as every loop that talks to it
 * reports. Logs one line per change of state (connected, unreachable,
 * reconnected), never one per failed retry, and tells listeners when the
 * control plane is back so they can report the truth again.
 */
import type { Logger } from "../log.js";

export type ConnectionState = "starting" | "connected" | "unreachable";

export class ConnectionMonitor {
  state: ConnectionState = "starting";
  private since = Date.now();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly server: string,
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  succeeded(): void {
    if (this.state === "connected") return;
    const previous = this.state;
    const downFor = Math.round((this.now() - this.since) / 1000);
    this.state = "connected";
    this.since = this.now();
    if (previous === "starting") this.log(`connected to control plane ${this.server} as node ${this.nodeName}`);
    else {
      this.log(`reconnected to control plane ${this.server} after ${downFor}s; reporting current pod status`);
      for (const listener of this.listeners) listener();
    }
  }

  /**
   * `startedAt`: when the failed attempt began. An attempt older than the
   * last success failed on a connection that is already known to be back
   * (it was in flight across the outage), so it says nothing new.
   */
  failed(error: unknown, startedAt?: number): void {
    if (this.state === "unreachable") return;
    if (this.state === "connected" && startedAt !== undefined && startedAt < this.since) return;
    const reason = error instanceof Error ? error.message : String(error);
    const wasConnected = this.state === "connected";
    this.state = "unreachable";
    this.since = this.now();
    this.log(
      wasConnected
        ? `control plane ${this.server} unreachable (${reason}); pods keep running from the last desired state`
        : `control plane ${this.server} unreachable (${reason}); running pods from the cached desired state, retrying`,
    );
  }

  onReconnect(listener: () => void): void {
    this.listeners.push(listener);
  }
}
