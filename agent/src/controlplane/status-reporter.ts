/**
 * Pod status up to the control plane: only when a pod's status changed,
 * batched over a short window into one POST for all pods
 * (docs/agent-protocol.md). A transition users wait for (a new phase past
 * Pending, readiness flipping) goes at once; what changes meanwhile rides
 * along with the next request. Unsent changes survive an outage and go up
 * when the control plane is back; only the latest status of a pod is kept.
 */
import type { Pod, PodStatus } from "../../../src/schema/core.js";
import { retryDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import { isUnavailableStatus, TransportError, type ControlPlaneClient } from "./client.js";
import type { ConnectionMonitor } from "./connection.js";
import { UnexpectedResponse } from "./errors.js";

interface StatusItem {
  namespace: string;
  name: string;
  uid: string;
  status: PodStatus;
}

interface StatusResult {
  namespace?: string;
  name?: string;
  uid?: string;
  code: number;
}

export interface PodStatusReporterOptions {
  client: ControlPlaneClient;
  nodeName: string;
  monitor: ConnectionMonitor;
  batchMs?: number;
  retry?: BackoffPolicy;
  log: Logger;
}

export class PodStatusReporter {
  /** JSON of the status last accepted by the control plane, per pod uid. */
  private readonly sent = new Map<string, string>();
  /** Phase and readiness last accepted, per pod uid: what makes a change a transition. */
  private readonly sentSummary = new Map<string, string>();
  private readonly pending = new Map<string, { item: StatusItem; json: string }>();
  private timer?: NodeJS.Timeout;
  private timerDue = Infinity;
  private flushing = false;
  /** The soonest a change queued during a request asked to go, once it is answered. */
  private afterFlushMs = Infinity;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: PodStatusReporterOptions) {}

  /** Queues the pod's status if it differs from what the control plane has. */
  update(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? "";
    const json = JSON.stringify(status);
    if (this.sent.get(uid) === json) {
      this.pending.delete(uid);
      return;
    }
    if (this.pending.get(uid)?.json === json) return;
    this.pending.set(uid, {
      item: { namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", uid, status },
      json,
    });
    // While the control plane is failing, the retry backoff sets the pace, transitions or not.
    const urgent = this.failures === 0 && isTransition(status, this.sentSummary.get(uid));
    this.schedule(urgent ? 0 : (this.options.batchMs ?? 200));
  }

  /** Forgets what was sent, so every pod's status goes up again (after a reconnect). */
  resendAll(): void {
    this.sent.clear();
    this.sentSummary.clear();
  }

  /** Drops bookkeeping for pods that are gone. */
  retain(uids: Set<string>): void {
    for (const uid of this.sent.keys()) if (!uids.has(uid)) this.sent.delete(uid);
    for (const uid of this.sentSummary.keys()) if (!uids.has(uid)) this.sentSummary.delete(uid);
    for (const uid of this.pending.keys()) if (!uids.has(uid)) this.pending.delete(uid);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Flushes after `delayMs`, or sooner if already due sooner; while a request is out, the next waits for it. */
  private schedule(delayMs: number) {
    if (this.stopped) return;
    if (this.flushing) {
      this.afterFlushMs = Math.min(this.afterFlushMs, delayMs);
      return;
    }
    const due = Date.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.flush();
    }, delayMs);
  }

  async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0) return;
    this.flushing = true;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    const { client, nodeName, monitor, log } = this.options;
    let retryLater = false;
    const started = Date.now();
    try {
      const response = await client.request<{ results?: StatusResult[] }>(
        "POST",
        `/kubeflare/v1/nodes/${encodeURIComponent(nodeName)}/podstatus`,
        { items: batch.map(([, entry]) => entry.item) },
      );
      if (isUnavailableStatus(response.status)) throw new TransportError(`HTTP ${response.status}`);
      monitor.succeeded();
      if (response.status !== 200) throw new UnexpectedResponse(response.status, "reporting pod status", response.body);
      const results = response.body?.results ?? [];
      batch.forEach(([uid, entry], index) => {
        const result =
          results.find((r) => r.uid === uid) ??
          results.find((r) => r.namespace === entry.item.namespace && r.name === entry.item.name) ??
          results[index];
        const code = result?.code ?? 200;
        // 404/409: the pod is gone or replaced; the update is dropped, not retried.
        if (code < 300 || code === 404 || code === 409) {
          this.sent.set(uid, entry.json);
          this.sentSummary.set(uid, summaryOf(entry.item.status));
        } else {
          this.requeue(uid, entry);
          retryLater = true;
        }
      });
      if (!retryLater) this.failures = 0;
    } catch (error) {
      for (const [uid, entry] of batch) this.requeue(uid, entry);
      if (error instanceof TransportError) monitor.failed(error, started);
      else if (this.failures === 0) log(`pod status: ${(error as Error).message}`);
      retryLater = true;
    } finally {
      this.flushing = false;
    }
    const asked = this.afterFlushMs;
    this.afterFlushMs = Infinity;
    if (retryLater) this.schedule(retryDelayMs(this.failures++, this.options.retry ?? RECONNECT_BACKOFF));
    else if (this.pending.size > 0) this.schedule(Math.min(asked, this.options.batchMs ?? 200));
  }

  private requeue(uid: string, entry: { item: StatusItem; json: string }) {
    // A newer status queued meanwhile wins.
    if (!this.pending.has(uid)) this.pending.set(uid, entry);
  }
}

/** Phase and Ready condition: the part of a status people and controllers wait on. */
function summaryOf(status: PodStatus): string {
  const ready = status.conditions?.find((c) => c.type === "Ready")?.status ?? "";
  return `${status.phase ?? ""}/${ready}`;
}

/** A new phase past Pending, or readiness changed, since what the control plane has. */
function isTransition(status: PodStatus, sent: string | undefined): boolean {
  const now = summaryOf(status);
  if (now === sent) return false;
  if (sent === undefined) return status.phase !== undefined && status.phase !== "Pending";
  return true;
}
