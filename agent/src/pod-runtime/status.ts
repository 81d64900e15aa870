/**
 * Pod status from observed containers, as the kubelet derives it: container
 * states and reasons, phase (kubelet's getPhase), conditions, IPs. Pure; the
 * previous status only supplies lastTransitionTime for unchanged conditions.
 */
import type { Condition } from "../../../src/schema/meta.js";
import type { Container, ContainerStatus, Pod, PodStatus } from "../../../src/schema/core.js";
import { cpuMillis, memoryBytes } from "../quantity.js";
import { instancesOf, succeeded } from "./actions.js";
import { isTerminated, type ObservedContainer, type PodPlan, type StartFailure } from "./types.js";

export interface StatusInput {
  pod: Pod;
  observed: ObservedContainer[];
  plan: PodPlan;
  startFailures: ReadonlyMap<string, StartFailure>;
  /** Probe results by container instance id. */
  probes: { isReady(id: string): boolean; isStarted(id: string): boolean };
  /** imageID to report for an instance (docker-pullable://… or docker://sha256:…). */
  imageId(container: ObservedContainer): string;
  hostIP: string;
  now: number;
  /** The last status reported (or the API's), for lastTransitionTime. */
  previous?: PodStatus;
}

/** How long a failed pull shows as ErrImagePull before ImagePullBackOff. */
export function errImagePullDisplayMs(failure: StartFailure): number {
  return Math.min(2_000, (failure.retryAt - failure.failedAt) / 2);
}

/** Kubernetes serializes metav1.Time with second precision. */
export function kubeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

type ContainerState = NonNullable<ContainerStatus["state"]>;

function terminatedState(instance: ObservedContainer): ContainerState["terminated"] {
  let reason = instance.exitCode === 0 ? "Completed" : "Error";
  if (instance.oomKilled) reason = "OOMKilled";
  if (instance.error) reason = "StartError";
  return {
    exitCode: instance.exitCode ?? (instance.error ? 128 : 0),
    reason,
    ...(instance.error ? { message: instance.error } : {}),
    startedAt: instance.startedAt ? kubeTime(instance.startedAt) : null,
    finishedAt: kubeTime(instance.finishedAt ?? instance.createdAt),
    containerID: `docker://${instance.id}`,
  };
}

function failureWaiting(failure: StartFailure, container: Container, now: number): ContainerState["waiting"] {
  if (failure.reason === "ErrImagePull" && now >= failure.failedAt + errImagePullDisplayMs(failure)) {
    return { reason: "ImagePullBackOff", message: `Back-off pulling image "${container.image}": ${failure.message}` };
  }
  return { reason: failure.reason, message: failure.message };
}

function containerStatus(
  container: Container,
  instances: ObservedContainer[],
  waitingReason: string,
  input: StatusInput,
): ContainerStatus {
  const [latest, previous] = instances;
  const failure = input.startFailures.get(container.name);
  const status: ContainerStatus = {
    name: container.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: latest?.attempt ?? 0,
    image: container.image ?? "",
    imageID: "",
    started: false,
  };
  if (!latest) {
    status.state = { waiting: failure ? failureWaiting(failure, container, input.now) : { reason: waitingReason } };
    return status;
  }
  status.containerID = `docker://${latest.id}`;
  status.imageID = input.imageId(latest);
  const previousTerminated = previous && isTerminated(previous) ? { terminated: terminatedState(previous) } : {};
  if (latest.state === "running" || latest.state === "paused" || latest.state === "restarting") {
    status.state = { running: { startedAt: kubeTime(latest.startedAt ?? latest.createdAt) } };
    status.lastState = previousTerminated;
    status.started = input.probes.isStarted(latest.id);
    status.ready = status.started && input.probes.isReady(latest.id);
    return status;
  }
  if (!isTerminated(latest)) {
    status.state = { waiting: { reason: "ContainerCreating" } };
    status.lastState = previousTerminated;
    return status;
  }
  const backoff = input.plan.backoff.get(container.name);
  const { podName, podNamespace, podUid } = latest;
  if (backoff) {
    status.state = {
      waiting: {
        reason: "CrashLoopBackOff",
        message: `back-off ${Math.round(backoff.delayMs / 1000)}s restarting failed container=${container.name} pod=${podName}_${podNamespace}(${podUid})`,
      },
    };
    status.lastState = { terminated: terminatedState(latest) };
  } else if (failure) {
    status.state = { waiting: failureWaiting(failure, container, input.now) };
    status.lastState = { terminated: terminatedState(latest) };
  } else {
    status.state = { terminated: terminatedState(latest) };
    status.lastState = previousTerminated;
  }
  return status;
}

/** The kubelet's getPhase. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], initialized: boolean): NonNullable<PodStatus["phase"]> {
  if (!initialized) return "Pending";
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeededCount = 0;
  for (const status of statuses) {
    if (status.state?.running) running++;
    else if (status.state?.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeededCount++;
    } else if (status.state?.waiting) {
      if (status.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    const policy = pod.spec.restartPolicy ?? "Always";
    if (policy === "Always") return "Running";
    if (stopped === succeededCount) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

/** Kubernetes' QoS class from requests and limits (requests default to limits). */
export function qosClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  let any = false;
  let guaranteed = true;
  for (const container of containers) {
    const limits = container.resources?.limits ?? {};
    const requests = { ...limits, ...(container.resources?.requests ?? {}) };
    if (Object.keys(limits).length || Object.keys(requests).length) any = true;
    for (const resource of ["cpu", "memory"]) {
      const limit = limits[resource];
      const request = requests[resource];
      if (limit === undefined || request === undefined) {
        guaranteed = false;
        continue;
      }
      const same =
        resource === "cpu" ? cpuMillis(limit) === cpuMillis(request) : memoryBytes(limit) === memoryBytes(request);
      if (!same) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

export function derivePodStatus(input: StatusInput): PodStatus {
  const { pod, observed, plan, now } = input;
  const sandbox = instancesOf(observed, "infra")[0];
  const initContainers = pod.spec.initContainers ?? [];
  const initialized = initContainers.every((c) => {
    const latest = instancesOf(observed, "init", c.name)[0];
    return latest !== undefined && succeeded(latest);
  });

  const initStatuses = initContainers.map((c) =>
    containerStatus(c, instancesOf(observed, "init", c.name), "PodInitializing", input),
  );
  const appStatuses = pod.spec.containers.map((c) =>
    containerStatus(c, instancesOf(observed, "app", c.name), initialized ? "ContainerCreating" : "PodInitializing", input),
  );

  const phase = plan.terminal?.phase ?? podPhase(pod, appStatuses, initialized);
  const completed = phase === "Succeeded";
  const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = initStatuses.filter((s) => !s.state?.terminated || s.state.terminated.exitCode !== 0).map((s) => s.name);

  const hostNetwork = !!pod.spec.hostNetwork;
  const sandboxReady = sandbox?.state === "running";
  const podIP =
    (sandboxReady ? (hostNetwork ? input.hostIP : sandbox.ip) : undefined) ?? pod.status?.podIP ?? input.previous?.podIP;

  const previousConditions = new Map<string, Condition>();
  for (const condition of input.previous?.conditions ?? pod.status?.conditions ?? []) previousConditions.set(condition.type, condition);
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? "True" : "False";
    const before = previousConditions.get(type);
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : kubeTime(now),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  };
  const ready = !completed && unready.length === 0;
  const readyReason = completed ? "PodCompleted" : ready ? undefined : "ContainersNotReady";
  const readyMessage = ready || completed ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  const conditions: Condition[] = [
    condition("PodReadyToStartContainers", sandboxReady),
    condition(
      "Initialized",
      initialized,
      completed && initContainers.length ? "PodCompleted" : initialized ? undefined : "ContainersNotInitialized",
      initialized ? undefined : `containers with incomplete status: [${incomplete.join(" ")}]`,
    ),
    condition("Ready", ready, readyReason, readyMessage),
    condition("ContainersReady", ready, readyReason, readyMessage),
    condition("PodScheduled", true),
  ];

  const firstSandbox = instancesOf(observed, "infra").at(-1);
  const startTime = pod.status?.startTime ?? input.previous?.startTime ?? kubeTime(firstSandbox?.createdAt ?? now);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime,
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    qosClass: pod.status?.qosClass ?? qosClass(pod),
  };
  if (plan.terminal?.reason) status.reason = plan.terminal.reason;
  if (plan.terminal?.message) status.message = plan.terminal.message;
  return status;
}
