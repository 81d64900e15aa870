/**
 * The pod runtime: a level-triggered loop comparing the desired pods with
 * the containers Docker reports, planning per pod (computePodActions) and
 * acting per pod, one worker per pod at a time so a slow pull or a graceful
 * stop of one pod never holds up another. It syncs when the desired state
 * changes, when Docker reports an event, when a backoff expires, and every
 * resync interval regardless.
 */
import type { ConfigMap, Pod, PodStatus, Secret } from "../../../src/schema/core.js";
import { KUBELET_CRASH_BACKOFF, type CrashBackoffPolicy } from "../backoff.js";
import type { DockerClient } from "../docker/client.js";
import { watchContainerEvents } from "../docker/events.js";
import { imageIdFor } from "../docker/image-reference.js";
import { ImagePuller } from "../docker/image-puller.js";
import { INFRA_CONTAINER_NAME } from "../docker/labels.js";
import { ContainerObserver } from "../docker/observe.js";
import { PauseImage } from "../docker/pause-image.js";
import { silentLogger, type Logger } from "../log.js";
import { ProbeManager } from "../probes/manager.js";
import { VolumeManager, type VolumeHostPath } from "../volumes/pod-volumes.js";
import { computePodActions, instancesOf } from "./actions.js";
import { PodExecutor } from "./executor.js";
import { podKey } from "./pod-spec.js";
import { derivePodStatus, errImagePullDisplayMs } from "./status.js";
import type { DesiredState, ObservedContainer, PodEventSink, PodPlan, StartFailure } from "./types.js";

export interface PodRuntimeOptions {
  docker: DockerClient;
  nodeName: string;
  /** Absolute directory for volumes (and, in the agent, the desired-state cache). */
  stateDir: string;
  /** The node's InternalIP: status.hostIP, and podIP of hostNetwork pods. */
  hostIP: string;
  /** Crash-loop and image-pull backoff; tests shorten it. */
  backoff?: Partial<CrashBackoffPolicy>;
  /** Periodic resync, the safety net under Docker events (default 10 s). */
  resyncIntervalMs?: number;
  /** Docker network pods join (default "bridge"). */
  network?: string;
  /** Infra container image; the built-in pause image when absent. */
  pauseImage?: string;
  events?: PodEventSink;
  /** Called after every sync with each desired pod's derived status. */
  onPodStatus?: (pod: Pod, status: PodStatus) => void;
  /** Deletes the Pod object after a graceful deletion completed (the agent: DELETE with uid precondition). */
  deletePodObject?: (pod: Pod) => Promise<void>;
  log?: Logger;
}

const noEvents: PodEventSink = { emit: () => {} };

export class PodRuntime {
  readonly docker: DockerClient;
  private readonly options: PodRuntimeOptions;
  private readonly backoff: CrashBackoffPolicy;
  private readonly observer: ContainerObserver;
  private readonly volumes: VolumeManager;
  private readonly probes: ProbeManager;
  private readonly executor: PodExecutor;
  private readonly log: Logger;

  private desired?: DesiredState;
  private desiredGeneration = 0;
  private configMaps = new Map<string, Map<string, ConfigMap>>();
  private secrets = new Map<string, Map<string, Secret>>();

  private readonly busy = new Map<string, Promise<void>>();
  private readonly startFailures = new Map<string, Map<string, StartFailure>>();
  private readonly volumeGeneration = new Map<string, number>();
  private readonly volumePaths = new Map<string, Map<string, VolumeHostPath>>();
  private readonly statuses = new Map<string, PodStatus>();
  /** Pods whose API object this agent deleted; they linger in the desired state until the next answer. */
  private readonly finalized = new Set<string>();
  private readonly imageIds = new Map<string, string>();
  /** The backoff last announced with a BackOff event, per pod/container, so each wait is announced once. */
  private readonly backoffReported = new Map<string, string>();
  private lastObserved: ObservedContainer[] = [];

  private running = false;
  private syncing = false;
  private syncAgain = false;
  private scheduled = false;
  private requeueTimer?: NodeJS.Timeout;
  private requeueAt = Infinity;
  private resyncTimer?: NodeJS.Timeout;
  private dockerEvents?: { stop(): void };
  private lastSyncError?: string;

  constructor(options: PodRuntimeOptions) {
    this.options = options;
    this.docker = options.docker;
    this.log = options.log ?? silentLogger;
    this.backoff = { ...KUBELET_CRASH_BACKOFF, ...options.backoff };
    this.observer = new ContainerObserver(options.docker, options.nodeName);
    this.volumes = new VolumeManager(options.stateDir);
    const events = options.events ?? noEvents;
    this.probes = new ProbeManager(
      options.docker,
      { unhealthy: (pod, name, message) => events.emit(pod, "Warning", "Unhealthy", message, `spec.containers{${name}}`) },
      () => this.requestSync(),
    );
    this.executor = new PodExecutor({
      docker: options.docker,
      observer: this.observer,
      puller: new ImagePuller(options.docker),
      pauseImage: options.pauseImage ?? new PauseImage(options.docker),
      events,
      nodeName: options.nodeName,
      hostIP: options.hostIP,
      network: options.network ?? "bridge",
      backoff: this.backoff,
      log: this.log,
      removePodDirectory: (uid) => this.volumes.removePod(uid),
      deletePodObject: async (pod) => {
        await options.deletePodObject?.(pod);
        this.finalized.add(pod.metadata.uid!);
      },
    });
  }

  /** Replaces the desired state (the whole of it, as the long-poll delivers it). */
  setDesiredState(state: DesiredState): void {
    this.desired = state;
    this.desiredGeneration++;
    this.configMaps = indexByNamespace(state.configMaps);
    this.secrets = indexByNamespace(state.secrets);
    const uids = new Set(state.pods.map((pod) => pod.metadata.uid));
    for (const uid of this.finalized) if (!uids.has(uid)) this.finalized.delete(uid);
    this.requestSync();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dockerEvents = watchContainerEvents(this.docker, this.options.nodeName, () => this.requestSync(), this.log);
    this.resyncTimer = setInterval(() => this.requestSync(), this.options.resyncIntervalMs ?? 10_000);
    this.requestSync();
  }

  /** Stops syncing and probing and waits for in-flight pod work. Containers keep running. */
  async stop(): Promise<void> {
    this.running = false;
    this.dockerEvents?.stop();
    clearInterval(this.resyncTimer);
    clearTimeout(this.requeueTimer);
    this.probes.stop();
    while (this.syncing || this.busy.size > 0) {
      await Promise.all([...this.busy.values()]);
      if (this.syncing) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  requestSync(): void {
    if (!this.running) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runSync();
    });
  }

  private async runSync(): Promise<void> {
    if (!this.running || this.syncing) return;
    this.syncing = true;
    try {
      await this.syncOnce();
      if (this.lastSyncError) this.log("sync recovered");
      this.lastSyncError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastSyncError) this.log(`sync failed: ${message}`);
      this.lastSyncError = message;
    } finally {
      this.syncing = false;
      if (this.syncAgain) {
        this.syncAgain = false;
        this.requestSync();
      }
    }
  }

  /** One pass over every pod. Exposed for tests; normally driven by start(). */
  async syncOnce(): Promise<void> {
    const desired = this.desired;
    // Without a desired state (first start, no cache, control plane unreachable) nothing is known
    // to be unwanted: touch nothing.
    if (!desired) return;
    const now = Date.now();
    const observed = await this.observer.observe();
    this.lastObserved = observed;
    await this.refreshImageIds(observed);

    const observedByUid = new Map<string, ObservedContainer[]>();
    for (const container of observed) {
      const list = observedByUid.get(container.podUid) ?? [];
      list.push(container);
      observedByUid.set(container.podUid, list);
    }
    const desiredByUid = new Map(desired.pods.filter((p) => p.metadata.uid).map((p) => [p.metadata.uid!, p]));

    let earliest = Infinity;
    for (const uid of new Set([...desiredByUid.keys(), ...observedByUid.keys()])) {
      if (this.busy.has(uid)) continue;
      const pod = desiredByUid.get(uid);
      const containers = observedByUid.get(uid) ?? [];
      if (pod && this.finalized.has(uid)) continue;
      const failures = this.startFailures.get(uid) ?? new Map<string, StartFailure>();
      this.startFailures.set(uid, failures);
      const plan = computePodActions(pod, containers, {
        now,
        backoff: this.backoff,
        unhealthy: this.probes.unhealthy(),
        startFailures: failures,
      });
      if (plan.requeueAt !== undefined) earliest = Math.min(earliest, plan.requeueAt);

      const active = pod && !pod.metadata.deletionTimestamp;
      if (active) {
        this.observePod(pod, containers, plan, failures, now);
        for (const failure of failures.values()) {
          const boundary = failure.failedAt + errImagePullDisplayMs(failure);
          if (failure.reason === "ErrImagePull" && boundary > now) earliest = Math.min(earliest, boundary);
        }
      } else {
        this.probes.forgetPod(uid);
        this.statuses.delete(uid);
      }
      const volumesStale = active && !plan.terminal && this.volumeGeneration.get(uid) !== this.desiredGeneration;
      if (plan.actions.length > 0 || volumesStale) this.launch(uid, pod, plan, failures);
    }
    for (const uid of this.startFailures.keys()) {
      if (!desiredByUid.has(uid) && !observedByUid.has(uid)) {
        this.startFailures.delete(uid);
        this.volumeGeneration.delete(uid);
        this.volumePaths.delete(uid);
        for (const key of this.backoffReported.keys()) if (key.startsWith(`${uid}/`)) this.backoffReported.delete(key);
      }
    }
    this.scheduleRequeue(earliest);
  }

  private observePod(pod: Pod, containers: ObservedContainer[], plan: PodPlan, failures: Map<string, StartFailure>, now: number) {
    const uid = pod.metadata.uid!;
    const sandbox = plan.sandbox;
    const podIP = pod.spec.hostNetwork ? this.options.hostIP : sandbox?.ip;
    if (plan.terminal) this.probes.forgetPod(uid);
    else this.probes.syncPod(pod, containers.filter((c) => c.role === "app" && c.state === "running" && c.sandboxId === sandbox?.id), podIP);
    const status = derivePodStatus({
      pod,
      observed: containers,
      plan,
      startFailures: failures,
      probes: this.probes,
      imageId: (c) => this.imageIds.get(c.imageId) ?? imageIdFor(undefined, c.imageId),
      hostIP: this.options.hostIP,
      now,
      previous: this.statuses.get(uid) ?? pod.status,
    });
    this.statuses.set(uid, status);
    this.options.onPodStatus?.(pod, status);
    for (const [name, wait] of plan.backoff) {
      const latest = instancesOf(containers, "app", name)[0] ?? instancesOf(containers, "init", name)[0];
      const key = `${latest?.id}/${wait.until}`;
      if (this.backoffReported.get(`${uid}/${name}`) === key) continue;
      this.backoffReported.set(`${uid}/${name}`, key);
      this.options.events?.emit(
        pod,
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace ?? "default"}(${uid})`,
        `spec.containers{${name}}`,
      );
    }
  }

  private launch(uid: string, pod: Pod | undefined, plan: PodPlan, failures: Map<string, StartFailure>) {
    const work = this.work(uid, pod, plan, failures)
      .catch((error) => this.log(`pod ${pod ? podKey(pod) : uid}: ${(error as Error).message}`))
      .finally(() => {
        this.busy.delete(uid);
        if (plan.actions.length > 0) this.requestSync();
      });
    this.busy.set(uid, work);
  }

  private async work(uid: string, pod: Pod | undefined, plan: PodPlan, failures: Map<string, StartFailure>) {
    const namespace = pod?.metadata.namespace ?? "default";
    const configMaps = this.configMaps.get(namespace) ?? new Map<string, ConfigMap>();
    const secrets = this.secrets.get(namespace) ?? new Map<string, Secret>();
    if (pod && !pod.metadata.deletionTimestamp && !plan.terminal) {
      const generation = this.desiredGeneration;
      const starting = plan.actions.some((a) => a.type === "createSandbox" || a.type === "startContainer" || a.type === "startCreated");
      if (starting || this.volumeGeneration.get(uid) !== generation) {
        const prepared = await this.volumes.prepare(pod, {
          pod,
          configMaps,
          secrets,
          podIP: plan.sandbox?.ip,
          hostIP: this.options.hostIP,
          nodeName: this.options.nodeName,
        });
        if (!prepared.ok) {
          this.mountFailed(pod, prepared.message, failures);
          plan = { ...plan, actions: plan.actions.filter((a) => a.type === "killContainer" || a.type === "removeContainer") };
        } else {
          this.volumeGeneration.set(uid, generation);
          this.volumePaths.set(uid, prepared.paths);
          for (const [name, failure] of failures) if (failure.reason === "ContainerCreating" && name !== INFRA_CONTAINER_NAME) failures.delete(name);
        }
      }
    }
    await this.executor.apply({
      pod,
      podUid: uid,
      plan,
      configMaps,
      secrets,
      volumePaths: this.volumePaths.get(uid) ?? new Map(),
      startFailures: failures,
    });
  }

  private mountFailed(pod: Pod, message: string, failures: Map<string, StartFailure>) {
    const now = Date.now();
    const retryAt = now + Math.min(this.backoff.baseMs, 10_000);
    for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const previous = failures.get(container.name);
      failures.set(container.name, { reason: "ContainerCreating", message, failedAt: now, retryAt, failures: (previous?.failures ?? 0) + 1 });
    }
    this.options.events?.emit(pod, "Warning", "FailedMount", message);
    this.requestSyncAt(retryAt);
  }

  private requestSyncAt(at: number) {
    this.scheduleRequeue(at);
  }

  private scheduleRequeue(at: number) {
    if (!this.running || !Number.isFinite(at)) return;
    if (this.requeueTimer && this.requeueAt <= at && this.requeueAt > Date.now()) return;
    clearTimeout(this.requeueTimer);
    this.requeueAt = at;
    this.requeueTimer = setTimeout(() => {
      this.requeueTimer = undefined;
      this.requeueAt = Infinity;
      this.requestSync();
    }, Math.max(0, at - Date.now()) + 5);
  }

  /** imageID needs the image's RepoDigests; looked up once per local image id. */
  private async refreshImageIds(observed: ObservedContainer[]) {
    const wanted = new Set(observed.filter((c) => c.role !== "infra").map((c) => c.imageId));
    for (const id of this.imageIds.keys()) if (!wanted.has(id)) this.imageIds.delete(id);
    for (const id of wanted) {
      if (this.imageIds.has(id) || !id) continue;
      const image = await this.docker.inspectImage(id).catch(() => undefined);
      this.imageIds.set(id, imageIdFor(image, id));
    }
  }

  /** The last status derived for a pod. */
  podStatus(uid: string): PodStatus | undefined {
    return this.statuses.get(uid);
  }

  /** Every desired pod's last derived status (sent again after a reconnect). */
  allStatuses(): { pod: Pod; status: PodStatus }[] {
    const result: { pod: Pod; status: PodStatus }[] = [];
    for (const pod of this.desired?.pods ?? []) {
      const status = this.statuses.get(pod.metadata.uid ?? "");
      if (status) result.push({ pod, status });
    }
    return result;
  }

  desiredPods(): Pod[] {
    return this.desired?.pods ?? [];
  }

  /** Containers seen at the last sync. */
  observedContainers(): ObservedContainer[] {
    return this.lastObserved;
  }

  /** Fresh observation, for callers that must not act on a stale view (logs). */
  observeNow(): Promise<ObservedContainer[]> {
    return this.observer.observe();
  }

  /** Instances of a pod's container, newest first. */
  containerInstances(podUid: string, containerName: string, observed = this.lastObserved): ObservedContainer[] {
    const mine = observed.filter((c) => c.podUid === podUid && c.role !== "infra");
    return instancesOf(mine, "app", containerName).concat(instancesOf(mine, "init", containerName));
  }
}

function indexByNamespace<T extends { metadata: { name?: string; namespace?: string } }>(objects: T[]) {
  const index = new Map<string, Map<string, T>>();
  for (const object of objects ?? []) {
    const namespace = object.metadata.namespace ?? "default";
    let byName = index.get(namespace);
    if (!byName) index.set(namespace, (byName = new Map()));
    byName.set(object.metadata.name ?? "", object);
  }
  return index;
}
