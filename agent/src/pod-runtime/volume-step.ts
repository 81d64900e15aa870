/**
 * The volume step before a pod's actions: volumes must exist (and hold the
 * current ConfigMap/Secret content) before containers that mount them start.
 * Refreshed when the desired state changed or something is about to start;
 * a failure holds back the pod's starts (FailedMount) and is retried shortly.
 */
import type { ConfigMap, Pod, Secret } from "../../../src/schema/core.js";
import { INFRA_CONTAINER_NAME } from "../docker/labels.js";
import type { VolumeHostPath, VolumeManager } from "../volumes/pod-volumes.js";
import type { PodEventSink, PodPlan, StartFailure } from "./types.js";

export interface VolumeStepInput {
  pod: Pod;
  plan: PodPlan;
  configMaps: ReadonlyMap<string, ConfigMap>;
  secrets: ReadonlyMap<string, Secret>;
  failures: Map<string, StartFailure>;
  /** The desired-state generation the content comes from. */
  generation: number;
}

export class VolumeStep {
  private readonly preparedGeneration = new Map<string, number>();
  private readonly hostPaths = new Map<string, Map<string, VolumeHostPath>>();

  constructor(
    private readonly volumes: VolumeManager,
    private readonly events: PodEventSink | undefined,
    private readonly retryDelayMs: number,
    private readonly node: { hostIP: string; nodeName: string },
  ) {}

  /** Whether the pod's volume content may be stale (the desired state changed since it was written). */
  stale(uid: string, generation: number): boolean {
    return this.preparedGeneration.get(uid) !== generation;
  }

  paths(uid: string): Map<string, VolumeHostPath> {
    return this.hostPaths.get(uid) ?? new Map();
  }

  forget(uid: string): void {
    this.preparedGeneration.delete(uid);
    this.hostPaths.delete(uid);
  }

  /**
   * Prepares the pod's volumes if needed. Returns the plan to carry out:
   * unchanged, or without its starts when a volume could not be set up; then
   * `retryAt` says when to look again.
   */
  async run(input: VolumeStepInput): Promise<{ plan: PodPlan; retryAt?: number }> {
    const { pod, plan, failures, generation } = input;
    const uid = pod.metadata.uid!;
    const starting = plan.actions.some((a) => a.type === "createSandbox" || a.type === "startContainer" || a.type === "startCreated");
    if (!starting && !this.stale(uid, generation)) return { plan };
    const prepared = await this.volumes.prepare(pod, {
      pod,
      configMaps: input.configMaps,
      secrets: input.secrets,
      podIP: plan.sandbox?.ip,
      hostIP: this.node.hostIP,
      nodeName: this.node.nodeName,
    });
    if (prepared.ok) {
      this.preparedGeneration.set(uid, generation);
      this.hostPaths.set(uid, prepared.paths);
      for (const [name, failure] of failures) {
        if (failure.reason === "ContainerCreating" && name !== INFRA_CONTAINER_NAME) failures.delete(name);
      }
      return { plan };
    }
    const now = Date.now();
    const retryAt = now + this.retryDelayMs;
    for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const previous = failures.get(container.name);
      failures.set(container.name, {
        reason: "ContainerCreating",
        message: prepared.message,
        failedAt: now,
        retryAt,
        failures: (previous?.failures ?? 0) + 1,
      });
    }
    this.events?.emit(pod, "Warning", "FailedMount", prepared.message);
    const stops = plan.actions.filter((a) => a.type === "killContainer" || a.type === "removeContainer");
    return { plan: { ...plan, actions: stops }, retryAt };
  }
}
