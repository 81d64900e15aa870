/**
 * Keeps the Node registered and alive: register (retrying until the control
 * plane answers), then renew the Lease every heartbeat interval and rewrite
 * the Node status every few minutes or after a reconnect.
 */
import { retryDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import { isUnavailableStatus, TransportError } from "./client.js";
import type { ConnectionMonitor } from "./connection.js";
import { sleep } from "./desired-state.js";
import { UnexpectedResponse } from "./errors.js";
import type { NodeLease } from "./heartbeat.js";
import type { NodeRegistration } from "./registration.js";

export interface NodeLoopOptions {
  registration: NodeRegistration;
  lease: NodeLease;
  monitor: ConnectionMonitor;
  log: Logger;
  heartbeatIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  retry?: BackoffPolicy;
}

export class NodeLoop {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private statusDue = true;
  private registered = false;

  constructor(private readonly options: NodeLoopOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Rewrites the Node status at the next heartbeat (e.g. after a reconnect). */
  refreshStatus(): void {
    this.statusDue = true;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { registration, lease, monitor, log } = this.options;
    const heartbeat = this.options.heartbeatIntervalMs ?? 10_000;
    const statusInterval = this.options.nodeStatusIntervalMs ?? 300_000;
    let failures = 0;
    let lastError = "";
    let lastStatus = 0;
    while (!this.abort.signal.aborted) {
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
        await lease.renew();
        monitor.succeeded();
        failures = 0;
        lastError = "";
        await sleep(heartbeat, this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        const unreachable =
          error instanceof TransportError || (error instanceof UnexpectedResponse && isUnavailableStatus(error.status));
        if (unreachable) monitor.failed(error);
        else if ((error as Error).message !== lastError) log(`node heartbeat: ${(error as Error).message}`);
        lastError = (error as Error).message;
        await sleep(retryDelayMs(failures++, this.options.retry ?? RECONNECT_BACKOFF), this.abort.signal);
      }
    }
  }
}
