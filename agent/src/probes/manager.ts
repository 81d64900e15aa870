/**
 * Probe workers for running containers: one timer chain per (container
 * instance, probe kind), started when an instance appears and dropped when
 * it stops. Results live here, keyed by container id; a change triggers a
 * sync, which turns them into status (readiness) or a restart (liveness).
 */
import type { Container, Pod, Probe } from "../../../src/schema/core.js";
import type { DockerClient } from "../docker/client.js";
import type { ObservedContainer } from "../pod-runtime/types.js";
import { runProbe } from "./runners.js";
import { ProbeResultTracker, probeTiming, type ProbeKind } from "./tracker.js";

export interface ProbeEvents {
  /** Reports a probe failure (an Unhealthy event in Kubernetes). */
  unhealthy(pod: Pod, containerName: string, message: string): void;
}

interface Worker {
  kind: ProbeKind;
  containerId: string;
  tracker: ProbeResultTracker;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

const PROBE_FIELD: Record<ProbeKind, "livenessProbe" | "readinessProbe" | "startupProbe"> = {
  liveness: "livenessProbe",
  readiness: "readinessProbe",
  startup: "startupProbe",
};
const PROBE_NAME: Record<ProbeKind, string> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();
  private readonly unhealthyContainers = new Map<string, { message: string; gracePeriodSeconds?: number }>();
  /** Containers that have a probe of a kind, so missing results can be read right. */
  private readonly probed = new Map<string, Set<ProbeKind>>();
  /** Pod uid of each worker. */
  private readonly podOf = new Map<string, string | undefined>();

  constructor(
    private readonly docker: DockerClient,
    private readonly events: ProbeEvents,
    private readonly onChange: () => void,
  ) {}

  /** Makes the set of workers for one pod match its running app containers. */
  syncPod(pod: Pod, running: ObservedContainer[], podIP: string | undefined): void {
    const uid = pod.metadata.uid;
    const wanted = new Set<string>();
    for (const instance of running) {
      const container = pod.spec.containers.find((c) => c.name === instance.containerName);
      if (!container || instance.role !== "app") continue;
      const kinds = new Set<ProbeKind>();
      for (const kind of ["startup", "liveness", "readiness"] as ProbeKind[]) {
        const probe = container[PROBE_FIELD[kind]];
        if (!probe) continue;
        kinds.add(kind);
        const key = `${instance.id}/${kind}`;
        wanted.add(key);
        if (!this.workers.has(key) && podIP) this.startWorker(key, kind, probe, pod, container, instance, podIP);
      }
      if (kinds.size > 0) this.probed.set(instance.id, kinds);
    }
    for (const key of [...this.workers.keys()]) {
      if (this.podOf.get(key) === uid && !wanted.has(key)) this.stopWorker(key);
    }
  }

  /** Stops every worker of a pod that is gone or finished. */
  forgetPod(uid: string): void {
    for (const [key, podUid] of this.podOf) if (podUid === uid) this.stopWorker(key);
  }

  /** Ready: readiness probe succeeded, or there is none (once started). */
  isReady(containerId: string): boolean {
    if (!this.probed.get(containerId)?.has("readiness")) return true;
    return this.workers.get(`${containerId}/readiness`)?.tracker.result === "success";
  }

  /** Started: startup probe succeeded, or there is none. */
  isStarted(containerId: string): boolean {
    if (!this.probed.get(containerId)?.has("startup")) return true;
    return this.workers.get(`${containerId}/startup`)?.tracker.result === "success";
  }

  /** Containers whose liveness or startup probe failed: the runtime restarts them. */
  unhealthy(): ReadonlyMap<string, { message: string; gracePeriodSeconds?: number }> {
    return this.unhealthyContainers;
  }

  stop(): void {
    for (const key of [...this.workers.keys()]) this.stopWorker(key);
  }

  private stopWorker(key: string) {
    const worker = this.workers.get(key);
    if (!worker) return;
    worker.stopped = true;
    clearTimeout(worker.timer);
    this.workers.delete(key);
    this.podOf.delete(key);
    if (![...this.workers.values()].some((w) => w.containerId === worker.containerId)) {
      this.probed.delete(worker.containerId);
      this.unhealthyContainers.delete(worker.containerId);
    }
  }

  private startWorker(
    key: string,
    kind: ProbeKind,
    probe: Probe,
    pod: Pod,
    container: Container,
    instance: ObservedContainer,
    podIP: string,
  ) {
    const timing = probeTiming(probe);
    const worker: Worker = { kind, containerId: instance.id, tracker: new ProbeResultTracker(kind, timing), stopped: false };
    this.workers.set(key, worker);
    this.podOf.set(key, pod.metadata.uid);
    const startedAt = instance.startedAt ?? Date.now();
    const firstDelay = Math.max(0, startedAt + timing.initialDelayMs - Date.now());

    const tick = async () => {
      if (worker.stopped) return;
      // Liveness and readiness wait for the startup probe, as in Kubernetes.
      const waitingForStartup = kind !== "startup" && !this.isStarted(instance.id);
      if (!waitingForStartup) {
        const outcome = await runProbe(probe, { podIP, containerId: instance.id, container, docker: this.docker }, timing.timeoutMs);
        if (worker.stopped) return;
        if (!outcome.success) this.events.unhealthy(pod, container.name, `${PROBE_NAME[kind]} probe failed: ${outcome.output}`);
        if (worker.tracker.observe(outcome.success)) this.onResult(worker, probe, container);
        // A failed liveness or startup probe ends this instance; nothing more to probe.
        if (worker.tracker.result === "failure" && kind !== "readiness") return;
      }
      worker.timer = setTimeout(tick, timing.periodMs);
    };
    worker.timer = setTimeout(tick, firstDelay);
  }

  private onResult(worker: Worker, probe: Probe, container: Container) {
    if (worker.tracker.result === "failure" && worker.kind !== "readiness") {
      const why = worker.kind === "liveness" ? "failed liveness probe" : "failed startup probe";
      this.unhealthyContainers.set(worker.containerId, {
        message: `Container ${container.name} ${why}, will be restarted`,
        gracePeriodSeconds: probe.terminationGracePeriodSeconds,
      });
    }
    this.onChange();
  }
}
