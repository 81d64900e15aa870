/**
 * Carries out the actions computePodActions decided, through Docker. Every
 * failure is recorded where the next sync and the status can see it (a start
 * failure with a retry time, or an event), never retried in a loop here.
 */
import type { ConfigMap, Pod, Secret, Service } from "../../../src/schema/core.js";
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
  /** How long a deleted pod keeps running before SIGTERM so Service proxies stop sending it traffic (network/endpoint-drain.ts). */
  drainDelayMs?(pod: Pod, gracePeriodSeconds: number): number;
  /** Cluster DNS address for ClusterFirst pods; unset, pods keep Docker's resolv.conf. */
  clusterDNS?: string;
  clusterDomain?: string;
  /** The cluster's Services, for service environment variables; unset, none are added. */
  services?(): Service[];
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
        await this.drain(work, kills);
        await Promise.all(kills.map((kill) => this.run(kill, work)));
      } else {
        await this.run(actions[i++], work);
      }
    }
  }

  private async drain(work: PodWork, kills: PodAction[]): Promise<void> {
    const apps = kills.filter((k) => k.type === "killContainer" && k.containerName !== INFRA_CONTAINER_NAME);
    if (!work.pod || apps.length === 0 || !this.deps.drainDelayMs) return;
    const grace = Math.max(...apps.map((k) => (k.type === "killContainer" ? k.gracePeriodSeconds : 0)));
    const delay = this.deps.drainDelayMs(work.pod, grace);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
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

  /**
   * The infra container, and for a pod's first sandbox without init
   * containers its app containers too: they are created while the infra
   * container starts (Docker needs it running only when they start), so a
   * new pod costs one sync and overlapping Docker calls rather than two
   * rounds. Anything this leaves half done, the next sync finishes.
   */
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
        clusterDNS: this.deps.clusterDNS,
        clusterDomain: this.deps.clusterDomain,
      });
      const id = await docker.createContainer(request.name, request.body);
      const starting = docker.startContainer(id).finally(() => observer.invalidate(id));
      const early = attempt === 0 && startsWithSandbox(pod) ? pod.spec.containers : [];
      const creating = Promise.all(
        early.map((container) => this.createContainer({ type: "startContainer", container, role: "app", attempt: 0, backoffStep: 0 }, work, { id })),
      );
      const [started, created] = await Promise.allSettled([starting, creating]);
      if (started.status === "rejected") throw started.reason;
      work.startFailures.delete(INFRA_CONTAINER_NAME);
      if (attempt > 0) events.emit(pod, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
      if (created.status === "fulfilled") {
        await Promise.all(
          created.value.map((appId, i) => (appId ? this.startCreatedContainer(pod, early[i].name, appId) : undefined)),
        );
      }
    } catch (error) {
      const message = `Failed to create pod sandbox: ${(error as Error).message}`;
      this.recordFailure(work, INFRA_CONTAINER_NAME, "ContainerCreating", message);
      events.emit(pod, "Warning", "FailedCreatePodSandBox", message);
      this.deps.log(`pod ${podKey(pod)}: ${message}`);
    }
  }

  private async startContainer(action: Extract<PodAction, { type: "startContainer" }>, work: PodWork): Promise<void> {
    const sandbox = work.plan.sandbox!;
    const id = await this.createContainer(action, work, { id: sandbox.id, ip: sandbox.ip });
    if (id) await this.startCreatedContainer(work.pod!, action.container.name, id);
  }

  /** Pulls the image if needed, resolves env and creates the container; failures are recorded and yield undefined. */
  private async createContainer(
    action: Extract<PodAction, { type: "startContainer" }>,
    work: PodWork,
    sandbox: { id: string; ip?: string },
  ): Promise<string | undefined> {
    const { docker, events, puller } = this.deps;
    const pod = work.pod!;
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
      return undefined;
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
      return undefined;
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
      services: this.deps.services?.(),
    });
    let id: string;
    try {
      id = await docker.createContainer(request.name, request.body);
    } catch (error) {
      const message = (error as Error).message;
      this.recordFailure(work, container.name, "CreateContainerError", message, this.deps.backoff.baseMs);
      events.emit(pod, "Warning", "Failed", `Error: ${message}`, path);
      return undefined;
    }
    work.startFailures.delete(container.name);
    events.emit(pod, "Normal", "Created", `Created container ${container.name}`, path);
    return id;
  }

  private async startCreatedContainer(pod: Pod, containerName: string, id: string): Promise<void> {
    const { docker, observer, events } = this.deps;
    const path = fieldPath(pod, containerName);
    try {
      await docker.startContainer(id);
      events.emit(pod, "Normal", "Started", `Started container ${containerName}`, path);
    } catch (error) {
      // The container stays behind, created with Docker's error: the next sync sees it terminated and backs off.
      events.emit(pod, "Warning", "Failed", `Error: failed to start container "${containerName}": ${(error as Error).message}`, path);
    } finally {
      observer.invalidate(id);
    }
  }
}

/**
 * Whether a new pod's app containers can be made together with its sandbox:
 * no init containers must run first, and no container reads the pod's IP
 * (known only once the sandbox runs) from its environment.
 */
function startsWithSandbox(pod: Pod): boolean {
  if (pod.spec.initContainers?.length) return false;
  return !pod.spec.containers.some((c) => c.env?.some((e) => e.valueFrom?.fieldRef?.fieldPath?.startsWith("status.podIP")));
}
