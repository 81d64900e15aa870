/**
 * The shapes the pod runtime reasons about: the desired state handed down by
 * the control plane, the containers Docker reports (read from our labels and
 * inspect data), and the actions that move one towards the other.
 */
import type { ConfigMap, Container, Pod, Secret } from "../../../src/schema/core.js";

/** Everything the control plane wants on this node (docs/agent-protocol.md). */
export interface DesiredState {
  version?: string;
  pods: Pod[];
  configMaps: ConfigMap[];
  secrets: Secret[];
}

export type ContainerRole = "infra" | "init" | "app";

export type DockerContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** One Docker container carrying our labels, as Docker reports it now. */
export interface ObservedContainer {
  id: string;
  role: ContainerRole;
  podUid: string;
  podNamespace: string;
  podName: string;
  /** The container's name in the pod spec ("POD" for the infra container). */
  containerName: string;
  /** 0 for the first instance of this container in the pod, +1 per restart. */
  attempt: number;
  /** Crash backoff step used before this instance was started (see backoff.ts). */
  backoffStep: number;
  /** The infra container whose namespaces this container joined. */
  sandboxId?: string;
  /** Hash of the container spec it was created from. */
  specHash?: string;
  /** The pod's grace period when the container was created, for pods that have left the desired state. */
  gracePeriodSeconds?: number;
  state: DockerContainerState;
  exitCode?: number;
  /** Docker's error for a container that could not start. */
  error?: string;
  oomKilled: boolean;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The image as written in the pod spec. */
  image: string;
  /** The local image id (sha256:…). */
  imageId: string;
  /** IP on the Docker network (infra containers). */
  ip?: string;
  tty: boolean;
}

/** What a container's labels say about it: the identity the agent wrote when creating it. */
export type LabelledContainer = Pick<
  ObservedContainer,
  "role" | "podUid" | "podNamespace" | "podName" | "containerName" | "attempt" | "backoffStep" | "image" | "gracePeriodSeconds" | "specHash" | "sandboxId"
>;

/** True when the instance has stopped for good (exited, or failed to start). */
export function isTerminated(container: ObservedContainer): boolean {
  return (
    container.state === "exited" || container.state === "dead" || (container.state === "created" && !!container.error)
  );
}

export type PodAction =
  | { type: "createSandbox"; attempt: number }
  | { type: "startContainer"; container: Container; role: "init" | "app"; attempt: number; backoffStep: number }
  | { type: "startCreated"; id: string; containerName: string }
  | { type: "killContainer"; id: string; containerName: string; gracePeriodSeconds: number; reason: string; message: string }
  | { type: "removeContainer"; id: string }
  | { type: "removePodDirectory" }
  | { type: "deletePodObject" };

/** A container held back by crash-loop backoff. */
export interface BackoffWait {
  until: number;
  delayMs: number;
}

export interface TerminalPhase {
  phase: "Succeeded" | "Failed";
  reason?: string;
  message?: string;
}

/** What computePodActions decided for one pod. */
export interface PodPlan {
  actions: PodAction[];
  /** When the pod must be looked at again even if nothing happens (backoff expiry). */
  requeueAt?: number;
  /** Containers waiting out a crash-loop backoff, by name. */
  backoff: Map<string, BackoffWait>;
  /** Set when the pod has finished and will run nothing more. */
  terminal?: TerminalPhase;
  /** The running infra container, once there is one. */
  sandbox?: ObservedContainer;
}

/** A start that failed before Docker had a container (image pull, config); retried at `retryAt`. */
export interface StartFailure {
  reason: string;
  message: string;
  retryAt: number;
  failedAt: number;
  failures: number;
}

/** Where the runtime reports what happened to a pod (core/v1 Events, in the agent). */
export interface PodEventSink {
  emit(pod: Pod, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void;
}
