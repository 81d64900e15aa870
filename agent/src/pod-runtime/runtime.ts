/**
 * The pod runtime: a level-triggered loop comparing the desired pods with
 * the containers Docker reports, planning per pod (computePodActions) and
 * acting per pod, one worker per pod at a time so a slow pull or a graceful
 * stop of one pod never holds up another. It syncs when the desired state
 * changes, when Docker reports an event, when a backoff expires, and every
 * resync interval regardless.
 */
import type { ConfigMap, Pod, PodStatus, Secret, Service } from "../../../src/schema/core.js";
import { KUBELET_CRASH_BACKOFF, type CrashBackoffPolicy } from "../backoff.js";
import type { DockerClient } from "../docker/client.js";
import { watchContainerEvents } from "../docker/events.js";
import { imageIdFor } from "../docker/image-reference.js";
import { ImagePuller } from "../docker/image-puller.js";
import { ContainerObserver } from "../docker/observe.js";
import { PauseImage } from "../docker/pause-image.js";
import { silentLogger, type Logger } from "../log.js";
import { ProbeManager } from "../probes/manager.js";
import { VolumeManager } from "../volumes/pod-volumes.js";
import { computePodActions, instancesOf } from "./actions.js";
import { PodExecutor } from "./executor.js";
import { SyncLoop } from "./sync-loop.js";
import { VolumeStep } from "./volume-step.js";
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
  /** How long sync requests are gathered into one sync (default 50 ms). */
  syncCoalesceMs?: number;
  /** Infra container image; the built-in pause image when absent. */
  pauseImage?: string;
  events?: PodEventSink;
  /** Called after every sync with each desired pod's derived status. */
  onPodStatus?: (pod: Pod, status: PodStatus) => void;
  /** Deletes the Pod object after a graceful deletion completed (the agent: DELETE with uid precondition). */
  deletePodObject?: (pod: Pod) => Promise<void>;
  /** Delay before stopping a deleted pod's containers (endpoint drain); none when absent. */
  drainDelayMs?: (pod: Pod, gracePeriodSeconds: number) => number;
  /** Cluster DNS address given to ClusterFirst pods (network/dns/pod-dns.ts). */
  clusterDNS?: string;
  clusterDomain?: string;
  /** The cluster's Services, for service environment variables (network/service-env.ts). */
  services?: () => Service[];
  log?: Logger;
}

const noEvents: PodEventSink = { emit: () => {} };

export class PodRuntime {
  readonly docker: DockerClient;
  private readonly options: PodRuntimeOptions;
  private readonly backoff: CrashBackoffPolicy;
  private readonly observer: ContainerObserver;
  private readonly volumes: VolumeManager;
  private readonly volumeStep: VolumeStep;
  private readonly probes: ProbeManager;
  private readonly executor: PodExecutor;
  private readonly log: Logger;

  private desired?: DesiredState;
  private desiredGeneration = 0;
  private configMaps = new Map<string, Map<string, ConfigMap>>();
  private secrets = new Map<string, Map<string, Secret>>();

  private readonly busy = new Map<string, Promise<void>>();
  /**
   * When each pod's last work ended, counted in finished works: a sync whose
   * observation began before a pod's work ended saw that pod's containers as
   * they were before it, and must not plan from it.
   */
  private readonly workEndedAt = new Map<string, number>();
  private worksEnded = 0;
  private readonly startFailures = new Map<string, Map<string, StartFailure>>();
  private readonly statuses = new Map<string, PodStatus>();
  /** Pods whose API object this agent deleted; they linger in the desired state until the next answer. */
  private readonly finalized = new Set<string>();
  private readonly imageIds = new Map<string, string>();
  /** The backoff last announced with a BackOff event, per pod/container, so each wait is announced once. */
  private readonly backoffReported = new Map<string, string>();
  private lastObserved: ObservedContainer[] = [];
  private readonly lastWorkError = new Map<string, string>();

  private dockerEvents?: { stop(): void };
  private readonly loop: SyncLoop;

  constructor(options: PodRuntimeOptions) {
    this.options = options;
    this.docker = options.docker;
    this.log = options.log ?? silentLogger;
    this.loop = new SyncLoop(() => this.syncOnce(), {
      coalesceMs: options.syncCoalesceMs ?? 50,
      resyncIntervalMs: options.resyncIntervalMs ?? 10_000,
      log: this.log,
    });
    this.backoff = { ...KUBELET_CRASH_BACKOFF, ...options.backoff };
    this.observer = new ContainerObserver(options.docker, options.nodeName);
    this.volumes = new VolumeManager(options.stateDir);
    this.volumeStep = new VolumeStep(this.volumes, options.events, Math.min(this.backoff.baseMs, 10_000), options);
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
      drainDelayMs: options.drainDelayMs,
      clusterDNS: options.clusterDNS,
      clusterDomain: options.clusterDomain,
      services: options.services,
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
    this.loop.request(0);
  }

  start(): void {
    if (this.dockerEvents) return;
    this.dockerEvents = watchContainerEvents(this.docker, this.options.nodeName, () => this.requestSync(), this.log);
    this.loop.start();
  }

  /** Stops syncing and probing and waits for in-flight pod work. Containers keep running. */
  async stop(): Promise<void> {
    this.dockerEvents?.stop();
    this.dockerEvents = undefined;
    this.probes.stop();
    await this.loop.stop();
    while (this.busy.size > 0) await Promise.all([...this.busy.values()]);
  }

  requestSync(): void {
    this.loop.request();
  }

  /** One pass over every pod. Exposed for tests; normally driven by start(). */
  async syncOnce(): Promise<void> {
    const desired = this.desired;
    // Without a desired state (first start, no cache, control plane unreachable) nothing is known
    // to be unwanted: touch nothing.
    if (!desired) return;
    const now = Date.now();
    const observedAfter = this.worksEnded;
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
      // A pod whose work ended during the observation gets the sync that work's end asked for.
      if (this.busy.has(uid) || (this.workEndedAt.get(uid) ?? 0) > observedAfter) continue;
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
      const volumesStale = active && !plan.terminal && this.volumeStep.stale(uid, this.desiredGeneration);
      if (plan.actions.length > 0 || volumesStale) this.launch(uid, pod, plan, failures);
    }
    for (const uid of this.statuses.keys()) if (!desiredByUid.has(uid)) this.statuses.delete(uid);
    for (const uid of this.startFailures.keys()) {
      if (!desiredByUid.has(uid) && !observedByUid.has(uid)) {
        this.lastWorkError.delete(uid);
        this.workEndedAt.delete(uid);
        this.startFailures.delete(uid);
        this.volumeStep.forget(uid);
        for (const key of this.backoffReported.keys()) if (key.startsWith(`${uid}/`)) this.backoffReported.delete(key);
      }
    }
    this.loop.requestAt(earliest);
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
      .then(() => void this.lastWorkError.delete(uid))
      .catch((error) => {
        // Retried at every sync; said once until it changes.
        const message = (error as Error).message;
        if (this.lastWorkError.get(uid) !== message) this.log(`pod ${pod ? podKey(pod) : uid}: ${message}`);
        this.lastWorkError.set(uid, message);
      })
      .finally(() => {
        this.busy.delete(uid);
        if (plan.actions.length > 0) {
          this.workEndedAt.set(uid, ++this.worksEnded);
          // The pod's own work changed its containers: look again now rather than after the event burst it caused.
          this.loop.request(0);
        }
      });
    this.busy.set(uid, work);
  }

  private async work(uid: string, pod: Pod | undefined, plan: PodPlan, failures: Map<string, StartFailure>) {
    const namespace = pod?.metadata.namespace ?? "default";
    const configMaps = this.configMaps.get(namespace) ?? new Map<string, ConfigMap>();
    const secrets = this.secrets.get(namespace) ?? new Map<string, Secret>();
    if (pod && !pod.metadata.deletionTimestamp && !plan.terminal) {
      const step = await this.volumeStep.run({ pod, plan, configMaps, secrets, failures, generation: this.desiredGeneration });
      plan = step.plan;
      if (step.retryAt) this.loop.requestAt(step.retryAt);
    }
    await this.executor.apply({
      pod,
      podUid: uid,
      plan,
      configMaps,
      secrets,
      volumePaths: this.volumeStep.paths(uid),
      startFailures: failures,
    });
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

  desiredPods(): Pod[] {
    return this.desired?.pods ?? [];
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
