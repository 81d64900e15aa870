/**
 * core/v1 Events about pods, posted the way the kubelet's recorder does
 * (source.component "kubelet"). Best effort: a bounded queue, identical
 * events within a minute collapse into one, and events are dropped rather
 * than piling up while the control plane is away.
 */
import { randomBytes } from "node:crypto";
import type { Pod } from "../../../src/schema/core.js";
import type { Logger } from "../log.js";
import type { PodEventSink } from "../pod-runtime/types.js";
import { isUnavailableStatus, TransportError, type ControlPlaneClient } from "./client.js";
import type { ConnectionMonitor } from "./connection.js";

const MAX_QUEUE = 200;
const DEDUPE_WINDOW_MS = 60_000;

export function eventObject(
  pod: Pod,
  nodeName: string,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  fieldPath: string | undefined,
  now: Date,
) {
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const namespace = pod.metadata.namespace ?? "default";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${pod.metadata.name}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}${randomBytes(2).toString("hex")}`,
      namespace,
    },
    involvedObject: {
      apiVersion: "v1",
      kind: "Pod",
      namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      ...(pod.metadata.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
      ...(fieldPath ? { fieldPath } : {}),
    },
    reason,
    message,
    source: { component: "kubelet", host: nodeName },
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: "kubelet",
    reportingInstance: nodeName,
  };
}

export class EventRecorder implements PodEventSink {
  private readonly queue: ReturnType<typeof eventObject>[] = [];
  private readonly recent = new Map<string, number>();
  private sending = false;
  private stopped = false;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly nodeName: string,
    private readonly monitor: ConnectionMonitor,
    private readonly log: Logger,
  ) {}

  emit(pod: Pod, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void {
    if (this.stopped) return;
    const now = Date.now();
    const key = `${pod.metadata.uid}\0${fieldPath}\0${reason}\0${message}`;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < DEDUPE_WINDOW_MS) return;
    this.recent.set(key, now);
    if (this.recent.size > 1000) {
      for (const [k, at] of this.recent) if (now - at >= DEDUPE_WINDOW_MS) this.recent.delete(k);
    }
    this.queue.push(eventObject(pod, this.nodeName, type, reason, message, fieldPath, new Date(now)));
    if (this.queue.length > MAX_QUEUE) this.queue.shift();
    void this.drain();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const event = this.queue[0];
        const started = Date.now();
        try {
          const response = await this.client.request("POST", `/api/v1/namespaces/${event.metadata.namespace}/events`, event);
          if (isUnavailableStatus(response.status)) throw new TransportError(`HTTP ${response.status}`);
          this.monitor.succeeded();
          if (response.status >= 300) this.log(`event ${event.reason} for pod ${event.involvedObject.name} refused: HTTP ${response.status}`);
          this.queue.shift();
        } catch (error) {
          // Unreachable: drop what is queued; the pods' status carries the truth when the control plane returns.
          this.monitor.failed(error, started);
          this.queue.length = 0;
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
