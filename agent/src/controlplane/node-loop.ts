/**
 * Keeps the Node registered and its objects current: register (retrying
 * until the control plane answers), then renew the Lease and rewrite the
 * Node status every half hour, and the status at once after a reconnect
 * or when the control plane asks (it had marked the node unreachable).
 * Liveness itself rides on the desired-state channel.
 */
import { retryDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import { isUnavailableStatus, TransportError } from "./client.js";
import type { ConnectionMonitor } from "./connection.js";
import { sleep } from "./desired-state.js";
import { UnexpectedResponse } from "./errors.js";
import { LEASE_RENEW_INTERVAL_MS, type NodeLease } from "./heartbeat.js";

/** How often an unchanged Node status is written again: with the Lease, so both cost one wake of the cluster store. */
export const NODE_STATUS_INTERVAL_MS = LEASE_RENEW_INTERVAL_MS;
import type { NodeRegistration } from "./registration.js";

export interface NodeLoopOptions {
  registration: NodeRegistration;
  lease: NodeLease;
  monitor: ConnectionMonitor;
  log: Logger;
  /** Lease renewal interval (default 30 min). */
  heartbeatIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  retry?: BackoffPolicy;
}

export class NodeLoop {
  private readonly abort = new AbortController();
  private wake = new AbortController();
  private loop?: Promise<void>;
  private statusDue = true;
  private registered = false;

  constructor(private readonly options: NodeLoopOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Rewrites the Node status now (after a reconnect, or when the control plane asks). */
  refreshStatus(): void {
    this.statusDue = true;
    this.wake.abort();
  }

  /** Sleeps until `ms` pass, the loop stops, or a status refresh is asked for. */
  private async pause(ms: number): Promise<void> {
    if (!this.statusDue) await sleep(ms, AbortSignal.any([this.abort.signal, this.wake.signal]));
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { registration, lease, monitor, log } = this.options;
    const renewEvery = this.options.heartbeatIntervalMs ?? LEASE_RENEW_INTERVAL_MS;
    const statusInterval = this.options.nodeStatusIntervalMs ?? NODE_STATUS_INTERVAL_MS;
    let failures = 0;
    let lastError = "";
    let lastStatus = 0;
    let lastRenewal = 0;
    while (!this.abort.signal.aborted) {
      const started = Date.now();
      try {
        if (!this.registered) {
          await registration.register();
          this.registered = true;
          this.statusDue = false;
          lastStatus = Date.now();
          log(`node ${registration.node?.metadata.name} registered`);
        } else if (this.statusDue || Date.now() - lastStatus >= statusInterval) {
          this.statusDue = false;
          await registration.updateStatus();
          lastStatus = Date.now();
        }
        if (Date.now() - lastRenewal >= renewEvery) {
          await lease.renew();
          lastRenewal = Date.now();
        }
        monitor.succeeded();
        failures = 0;
        lastError = "";
        const next = Math.min(lastRenewal + renewEvery, lastStatus + statusInterval);
        await this.pause(Math.max(0, next - Date.now()));
      } catch (error) {
        if (this.abort.signal.aborted) return;
        const unreachable =
          error instanceof TransportError || (error instanceof UnexpectedResponse && isUnavailableStatus(error.status));
        if (unreachable) monitor.failed(error, started);
        else if ((error as Error).message !== lastError) log(`node heartbeat: ${(error as Error).message}`);
        lastError = (error as Error).message;
        await sleep(retryDelayMs(failures++, this.options.retry ?? RECONNECT_BACKOFF), this.abort.signal);
      }
    }
  }
}
