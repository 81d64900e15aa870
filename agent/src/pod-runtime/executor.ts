/**
 * Carries out the actions computePodActions decided, through Docker. Every
 * failure is recorded where the next sync and the status can see it (a start
 * failure with a retry time, or an event), never retried in a loop here.
 */
import type { ConfigMap, Pod, Secret } from "../../../src/schema/core.js";
import { pullBackoffDelayMs, type BackoffPolicy } from "../backoff.js";
import type { DockerClient } from "../docker/client.js";
import { defaultPullPolicy } from "../docker/image-reference.js";
import { ImagePullError, type ImagePuller } from "../docker/image-puller.js";
import { INFRA_CONTAINER_NAME } from "../docker/labels.js";
import type { ContainerObserver } from "../docker/observe.js";
import type { PauseImage } from "../docker/pause-image.js";
import { resolveEnv } from "../env.js";
import type { Logger } from "../log.js";
import { containerBinds, type VolumeHostPath } from "../volumes/pod-volumes.js";
import { containerCreateRequest, sandboxCreateRequest } from "./container-config.js";
import { podKey } from "./pod-spec.js";
import type { PodAction, PodEventSink, PodPlan, StartFailure } from "./types.js";

export interface ExecutorDependencies {
  docker: DockerClient;
  observer: ContainerObserver;
  puller: ImagePuller;
  pauseImage: PauseImage | string;
  events: PodEventSink;
  nodeName: string;
  hostIP: string;
  network: string;
  backoff: BackoffPolicy;
  log: Logger;
  /** Removes the pod's directory under the state dir. */
  removePodDirectory(podUid: string): Promise<void>;
  /** Deletes the Pod object once its containers are gone (after a graceful deletion). */
  deletePodObject(pod: Pod): Promise<void>;
}

/** What an action needs to know about the pod beyond the action itself. */
export interface PodWork {
  pod: Pod | undefined;
  podUid: string;
  plan: PodPlan;
  configMaps: ReadonlyMap<string, ConfigMap>;
  secrets: ReadonlyMap<string, Secret>;
  volumePaths: ReadonlyMap<string, VolumeHostPath>;
  /** Start failures of this pod, by container name; updated in place. */
  startFailures: Map<string, StartFailure>;
}

function fieldPath(pod: Pod, containerName: string): string {
  const init = pod.spec.initContainers?.some((c) => c.name === containerName);
  return `spec.${init ? "initContainers" : "containers"}{${containerName}}`;
}

export class PodExecutor {
  constructor(private readonly deps: ExecutorDependencies) {}

  /** Runs the plan's actions in order; consecutive kills run together, as the kubelet stops a pod's containers in parallel. */
  async apply(work: PodWork): Promise<void> {
    const actions = work.plan.actions;
    for (let i = 0; i < actions.length; ) {
      if (actions[i].type === "killContainer") {
        const kills: PodAction[] = [];
        while (i < actions.length && actions[i].type === "killContainer") kills.push(actions[i++]);
        await Promise.all(kills.map((kill) => this.run(kill, work)));
      } else {
        await this.run(actions[i++], work);
      }
    }
  }

  private async run(action: PodAction, work: PodWork): Promise<void> {
    const { docker, observer, events } = this.deps;
    const { pod } = work;
    switch (action.type) {
      case "createSandbox":
        return this.createSandbox(pod!, action.attempt, work);
      case "startContainer":
        return this.startContainer(action, work);
      case "startCreated":
        await docker.startContainer(action.id).finally(() => observer.invalidate(action.id));
        if (pod) events.emit(pod, "Normal", "Started", `Started container ${action.containerName}`, fieldPath(pod, action.containerName));
        return;
      case "killContainer":
        if (pod && action.containerName !== INFRA_CONTAINER_NAME) {
          events.emit(pod, "Normal", action.reason, action.message, fieldPath(pod, action.containerName));
        }
        await docker.stopContainer(action.id, action.gracePeriodSeconds).finally(() => observer.invalidate(action.id));
        return;
      case "removeContainer":
        await docker.removeContainer(action.id);
        observer.invalidate(action.id);
        return;
      case "removePodDirectory":
        work.startFailures.clear();
        return this.deps.removePodDirectory(work.podUid);
      case "deletePodObject":
        return this.deps.deletePodObject(pod!);
    }
  }

  private recordFailure(work: PodWork, containerName: string, reason: string, message: string, delayMs?: number) {
    const previous = work.startFailures.get(containerName);
    const failures = (previous?.reason === reason ? previous.failures : 0) + 1;
    const now = Date.now();
    const delay = delayMs ?? pullBackoffDelayMs(failures, this.deps.backoff);
    work.startFailures.set(containerName, { reason, message, failures, failedAt: now, retryAt: now + delay });
  }

  private async createSandbox(pod: Pod, attempt: number, work: PodWork): Promise<void> {
    const { docker, observer, events } = this.deps;
    try {
      const pauseImage =
        typeof this.deps.pauseImage === "string" ? this.deps.pauseImage : await this.deps.pauseImage.ensure();
      const request = sandboxCreateRequest({
        pod,
        nodeName: this.deps.nodeName,
        pauseImage,
        attempt,
        network: this.deps.network,
      });
      const id = await docker.createContainer(request.name, request.body);
      try {
        await docker.startContainer(id);
      } finally {
        observer.invalidate(id);
      }
      work.startFailures.delete(INFRA_CONTAINER_NAME);
      if (attempt > 0) events.emit(pod, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    } catch (error) {
      const message = `Failed to create pod sandbox: ${(error as Error).message}`;
      this.recordFailure(work, INFRA_CONTAINER_NAME, "ContainerCreating", message);
      events.emit(pod, "Warning", "FailedCreatePodSandBox", message);
      this.deps.log(`pod ${podKey(pod)}: ${message}`);
    }
  }

  private async startContainer(action: Extract<PodAction, { type: "startContainer" }>, work: PodWork): Promise<void> {
    const { docker, observer, events, puller } = this.deps;
    const pod = work.pod!;
    const sandbox = work.plan.sandbox!;
    const { container } = action;
    const path = fieldPath(pod, container.name);
    const image = container.image ?? "";

    try {
      const policy = container.imagePullPolicy ?? defaultPullPolicy(image);
      await puller.ensure(image, policy, {
        pulling: (message) => events.emit(pod, "Normal", "Pulling", message, path),
        progress: (message) => events.emit(pod, "Normal", "Pulling", message, path),
        pulled: (message) => events.emit(pod, "Normal", "Pulled", message, path),
      });
    } catch (error) {
      if (!(error instanceof ImagePullError)) throw error;
      this.recordFailure(work, container.name, error.reason, error.message);
      events.emit(pod, "Warning", "Failed", error.message, path);
      events.emit(pod, "Warning", "Failed", `Error: ${error.reason}`, path);
      return;
    }

    const podIP = pod.spec.hostNetwork ? this.deps.hostIP : sandbox.ip;
    const env = resolveEnv(container, {
      pod,
      configMaps: work.configMaps,
      secrets: work.secrets,
      podIP,
      hostIP: this.deps.hostIP,
      nodeName: this.deps.nodeName,
    });
    if (!env.ok) {
      this.recordFailure(work, container.name, env.reason, env.message, this.deps.backoff.baseMs);
      events.emit(pod, "Warning", "Failed", `Error: ${env.message}`, path);
      return;
    }

    const request = containerCreateRequest({
      pod,
      container,
      role: action.role,
      attempt: action.attempt,
      backoffStep: action.backoffStep,
      sandboxId: sandbox.id,
      nodeName: this.deps.nodeName,
      env: env.env,
      binds: containerBinds(container, work.volumePaths),
    });
    let id: string;
    try {
      id = await docker.createContainer(request.name, request.body);
    } catch (error) {
      const message = (error as Error).message;
      this.recordFailure(work, container.name, "CreateContainerError", message, this.deps.backoff.baseMs);
      events.emit(pod, "Warning", "Failed", `Error: ${message}`, path);
      return;
    }
    work.startFailures.delete(container.name);
    events.emit(pod, "Normal", "Created", `Created container ${container.name}`, path);
    try {
      await docker.startContainer(id);
      events.emit(pod, "Normal", "Started", `Started container ${container.name}`, path);
    } catch (error) {
      // The container stays behind, created with Docker's error: the next sync sees it terminated and backs off.
      events.emit(pod, "Warning", "Failed", `Error: failed to start container "${container.name}": ${(error as Error).message}`, path);
    } finally {
      observer.invalidate(id);
    }
  }
}
