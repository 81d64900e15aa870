/**
 * The heart of the runtime, pure: given one pod's desired spec and the Docker
 * containers observed for it, decide what to do next. Called on every sync
 * (level-triggered), so each call only has to make progress, not finish:
 * e.g. a missing sandbox is created now and the app containers next time.
 */
import type { Container, Pod } from "../../../src/schema/core.js";
import { INFRA_CONTAINER_NAME } from "../docker/labels.js";
import { crashBackoffDelayMs, nextBackoffStep, type CrashBackoffPolicy } from "../backoff.js";
import {
  MINIMUM_GRACE_PERIOD_SECONDS,
  containerSpecHash,
  podGracePeriodSeconds,
  restartPolicyOf,
  type RestartPolicy,
} from "./pod-spec.js";
import {
  isTerminated,
  type ContainerRole,
  type ObservedContainer,
  type PodPlan,
  type StartFailure,
  type TerminalPhase,
} from "./types.js";

export interface PodSyncContext {
  now: number;
  backoff: CrashBackoffPolicy;
  /** Instances whose liveness or startup probe failed past its threshold, by container id. */
  unhealthy: ReadonlyMap<string, { message: string; gracePeriodSeconds?: number }>;
  /** Starts that failed before a container existed (pull, config, sandbox), by container name ("POD" for the sandbox). */
  startFailures: ReadonlyMap<string, StartFailure>;
}

/** Kubernetes keeps the last dead instance of each container (for `logs --previous`), no more. */
const INSTANCES_KEPT = 2;

export function isActive(container: ObservedContainer): boolean {
  return container.state === "running" || container.state === "paused" || container.state === "restarting";
}

export function succeeded(container: ObservedContainer): boolean {
  return isTerminated(container) && container.exitCode === 0 && !container.error;
}

/** Instances of one container, newest first. */
export function instancesOf(observed: ObservedContainer[], role: ContainerRole, name?: string): ObservedContainer[] {
  return observed
    .filter((c) => c.role === role && (name === undefined || c.containerName === name))
    .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

export function computePodActions(pod: Pod | undefined, observed: ObservedContainer[], context: PodSyncContext): PodPlan {
  if (!pod || pod.metadata.deletionTimestamp) return planTermination(pod, observed);

  const plan: PodPlan = { actions: [], backoff: new Map() };
  const sandbox = instancesOf(observed, "infra")[0];
  const terminal = terminalPhase(pod, observed, context.now);
  if (terminal) {
    plan.terminal = terminal;
    // A finished pod keeps its exited containers (for logs) but not its sandbox.
    const active = observed.filter((c) => c.role !== "infra" && isActive(c));
    for (const container of active) plan.actions.push(kill(container, podGracePeriodSeconds(pod), terminal.message ?? ""));
    if (active.length === 0 && sandbox && isActive(sandbox)) {
      plan.actions.push(kill(sandbox, MINIMUM_GRACE_PERIOD_SECONDS, "Stopping the sandbox of a finished pod"));
    }
    return withGarbageCollection(plan, pod, observed);
  }

  if (!sandbox || sandbox.state !== "running") {
    // Containers left in a dead sandbox have lost their network; stop them first.
    const stranded = observed.filter((c) => c.role !== "infra" && isActive(c));
    for (const container of stranded) {
      plan.actions.push(kill(container, podGracePeriodSeconds(pod), "Pod sandbox changed, it will be killed and re-created."));
    }
    const failure = context.startFailures.get(INFRA_CONTAINER_NAME);
    if (failure && failure.retryAt > context.now) requeue(plan, failure.retryAt);
    else if (stranded.length === 0) plan.actions.push({ type: "createSandbox", attempt: sandbox ? sandbox.attempt + 1 : 0 });
    return withGarbageCollection(plan, pod, observed);
  }
  plan.sandbox = sandbox;

  for (const container of pod.spec.initContainers ?? []) {
    const all = instancesOf(observed, "init", container.name);
    const current = all.find((c) => c.sandboxId === sandbox.id);
    if (!current) {
      // Init containers run again in every new sandbox, as in Kubernetes.
      startFresh(plan, container, "init", all[0], context);
      return withGarbageCollection(plan, pod, observed);
    }
    if (isActive(current)) return withGarbageCollection(plan, pod, observed);
    if (current.state === "created" && !current.error) {
      plan.actions.push({ type: "startCreated", id: current.id, containerName: container.name });
      return withGarbageCollection(plan, pod, observed);
    }
    if (succeeded(current)) continue;
    restartWithBackoff(plan, container, "init", current, context);
    return withGarbageCollection(plan, pod, observed);
  }

  const policy = restartPolicyOf(pod);
  for (const container of pod.spec.containers) {
    const latest = instancesOf(observed, "app", container.name)[0];
    if (!latest) {
      startFresh(plan, container, "app", undefined, context);
      continue;
    }
    if (isActive(latest)) {
      if (latest.state !== "running") continue;
      if (latest.sandboxId !== sandbox.id) {
        plan.actions.push(kill(latest, podGracePeriodSeconds(pod), "Pod sandbox changed, it will be killed and re-created."));
      } else if (latest.specHash && latest.specHash !== containerSpecHash(container)) {
        plan.actions.push(
          kill(latest, podGracePeriodSeconds(pod), `Container ${container.name} definition changed, will be restarted`),
        );
      } else {
        const unhealthy = context.unhealthy.get(latest.id);
        if (unhealthy) {
          plan.actions.push(kill(latest, unhealthy.gracePeriodSeconds ?? podGracePeriodSeconds(pod), unhealthy.message));
        }
      }
      continue;
    }
    if (latest.state === "created" && !latest.error) {
      plan.actions.push(
        latest.sandboxId === sandbox.id
          ? { type: "startCreated", id: latest.id, containerName: container.name }
          : { type: "removeContainer", id: latest.id },
      );
      continue;
    }
    if (!isTerminated(latest) || !shouldRestart(policy, latest)) continue;
    restartWithBackoff(plan, container, "app", latest, context);
  }
  return withGarbageCollection(plan, pod, observed);
}

export function shouldRestart(policy: RestartPolicy, container: ObservedContainer): boolean {
  if (policy === "Always") return true;
  if (policy === "OnFailure") return !succeeded(container);
  return false;
}

/**
 * The phase a pod has reached for good, if it has: already terminal in the
 * API, past its activeDeadlineSeconds, or every container done with nothing
 * left to restart.
 */
export function terminalPhase(pod: Pod, observed: ObservedContainer[], now: number): TerminalPhase | undefined {
  const apiPhase = pod.status?.phase;
  if (apiPhase === "Succeeded" || apiPhase === "Failed") {
    return { phase: apiPhase, reason: pod.status?.reason, message: pod.status?.message };
  }
  const deadline = pod.spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    const firstSandbox = instancesOf(observed, "infra").at(-1);
    const startedAt = pod.status?.startTime ? Date.parse(pod.status.startTime) : firstSandbox?.createdAt;
    if (startedAt !== undefined && now >= startedAt + deadline * 1000) {
      return { phase: "Failed", reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };
    }
  }
  const policy = restartPolicyOf(pod);
  if (policy === "Always") return undefined;
  if (policy === "Never") {
    for (const container of pod.spec.initContainers ?? []) {
      const latest = instancesOf(observed, "init", container.name)[0];
      if (latest && isTerminated(latest) && !succeeded(latest)) return { phase: "Failed" };
    }
  }
  let allSucceeded = true;
  for (const container of pod.spec.containers) {
    const latest = instancesOf(observed, "app", container.name)[0];
    if (!latest || !isTerminated(latest)) return undefined;
    if (!succeeded(latest)) {
      if (policy === "OnFailure") return undefined;
      allSucceeded = false;
    }
  }
  return { phase: allSucceeded ? "Succeeded" : "Failed" };
}

function kill(container: ObservedContainer, gracePeriodSeconds: number, message: string) {
  return {
    type: "killContainer" as const,
    id: container.id,
    containerName: container.containerName,
    gracePeriodSeconds,
    reason: "Killing",
    message: message || `Stopping container ${container.containerName}`,
  };
}

function requeue(plan: PodPlan, at: number) {
  plan.requeueAt = plan.requeueAt === undefined ? at : Math.min(plan.requeueAt, at);
}

function startFresh(
  plan: PodPlan,
  container: Container,
  role: "init" | "app",
  previous: ObservedContainer | undefined,
  context: PodSyncContext,
) {
  const failure = context.startFailures.get(container.name);
  if (failure && failure.retryAt > context.now) return requeue(plan, failure.retryAt);
  plan.actions.push({
    type: "startContainer",
    container,
    role,
    attempt: previous ? previous.attempt + 1 : 0,
    backoffStep: 0,
  });
}

function restartWithBackoff(
  plan: PodPlan,
  container: Container,
  role: "init" | "app",
  latest: ObservedContainer,
  context: PodSyncContext,
) {
  const step = nextBackoffStep(latest, context.backoff);
  const delayMs = crashBackoffDelayMs(step, context.backoff);
  const due = (latest.finishedAt ?? latest.createdAt) + delayMs;
  if (due > context.now) {
    plan.backoff.set(container.name, { until: due, delayMs });
    return requeue(plan, due);
  }
  const failure = context.startFailures.get(container.name);
  if (failure && failure.retryAt > context.now) return requeue(plan, failure.retryAt);
  plan.actions.push({ type: "startContainer", container, role, attempt: latest.attempt + 1, backoffStep: step });
}

/**
 * Removes instances nobody needs: all but the newest sandbox, all but the two
 * newest instances of each container, and containers the spec no longer has.
 */
function withGarbageCollection(plan: PodPlan, pod: Pod, observed: ObservedContainer[]): PodPlan {
  const planned = new Set(plan.actions.map((action) => ("id" in action ? action.id : "")));
  const names = {
    init: new Set((pod.spec.initContainers ?? []).map((c) => c.name)),
    app: new Set(pod.spec.containers.map((c) => c.name)),
  };
  const groups = new Map<string, ObservedContainer[]>();
  for (const container of observed) {
    const key = `${container.role}/${container.containerName}`;
    groups.set(key, [...(groups.get(key) ?? []), container]);
  }
  for (const group of groups.values()) {
    const sorted = group.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
    const { role, containerName } = sorted[0];
    const keep = role === "infra" ? 1 : names[role].has(containerName) ? INSTANCES_KEPT : 0;
    for (const container of sorted.slice(keep)) {
      if (planned.has(container.id)) continue;
      plan.actions.push(
        isActive(container)
          ? kill(container, MINIMUM_GRACE_PERIOD_SECONDS, `Stopping container ${containerName}`)
          : { type: "removeContainer", id: container.id },
      );
    }
  }
  return plan;
}

/**
 * A pod being deleted (or no longer assigned here): stop the app and init
 * containers within the grace period, then the sandbox, then remove
 * everything; for a graceful deletion finally delete the API object.
 */
function planTermination(pod: Pod | undefined, observed: ObservedContainer[]): PodPlan {
  const plan: PodPlan = { actions: [], backoff: new Map() };
  const labelGrace = observed.find((c) => c.gracePeriodSeconds !== undefined)?.gracePeriodSeconds;
  const grace = pod ? podGracePeriodSeconds(pod) : Math.max(MINIMUM_GRACE_PERIOD_SECONDS, labelGrace ?? 30);
  const active = observed.filter((c) => c.role !== "infra" && isActive(c));
  if (active.length > 0) {
    for (const container of active) plan.actions.push(kill(container, grace, `Stopping container ${container.containerName}`));
    return plan;
  }
  const sandboxes = observed.filter((c) => c.role === "infra" && isActive(c));
  if (sandboxes.length > 0) {
    for (const sandbox of sandboxes) plan.actions.push(kill(sandbox, MINIMUM_GRACE_PERIOD_SECONDS, "Stopping pod sandbox"));
    return plan;
  }
  for (const container of observed) plan.actions.push({ type: "removeContainer", id: container.id });
  plan.actions.push({ type: "removePodDirectory" });
  if (pod) plan.actions.push({ type: "deletePodObject" });
  return plan;
}
