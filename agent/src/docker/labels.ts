/**
 * The labels every Docker container the agent creates carries. They are the
 * agent's only memory of what it runs: a restarted agent rebuilds its whole
 * view from them (adoption), and the node label keeps several agents on one
 * Docker host out of each other's containers.
 */
import type { Pod } from "../../../src/schema/core.js";
import type { ContainerRole, LabelledContainer } from "../pod-runtime/types.js";

export const LABELS = {
  node: "io.kubeflare.node",
  podUid: "io.kubeflare.pod.uid",
  podNamespace: "io.kubeflare.pod.namespace",
  podName: "io.kubeflare.pod.name",
  gracePeriod: "io.kubeflare.pod.termination-grace-period",
  containerName: "io.kubeflare.container.name",
  role: "io.kubeflare.role",
  restartCount: "io.kubeflare.container.restart-count",
  backoffStep: "io.kubeflare.container.backoff-step",
  specHash: "io.kubeflare.container.hash",
  image: "io.kubeflare.container.image",
  sandbox: "io.kubeflare.sandbox",
} as const;

/** Name of the infra container in labels and Docker names, as dockershim used. */
export const INFRA_CONTAINER_NAME = "POD";

export interface ContainerIdentity {
  nodeName: string;
  pod: Pod;
  role: ContainerRole;
  containerName: string;
  attempt: number;
  backoffStep: number;
  image: string;
  gracePeriodSeconds: number;
  specHash?: string;
  sandboxId?: string;
}

export function containerLabels(identity: ContainerIdentity): Record<string, string> {
  const { pod } = identity;
  const labels: Record<string, string> = {
    [LABELS.node]: identity.nodeName,
    [LABELS.podUid]: pod.metadata.uid ?? "",
    [LABELS.podNamespace]: pod.metadata.namespace ?? "default",
    [LABELS.podName]: pod.metadata.name ?? "",
    [LABELS.gracePeriod]: String(identity.gracePeriodSeconds),
    [LABELS.containerName]: identity.containerName,
    [LABELS.role]: identity.role,
    [LABELS.restartCount]: String(identity.attempt),
    [LABELS.backoffStep]: String(identity.backoffStep),
    [LABELS.image]: identity.image,
  };
  if (identity.specHash) labels[LABELS.specHash] = identity.specHash;
  if (identity.sandboxId) labels[LABELS.sandbox] = identity.sandboxId;
  return labels;
}

/**
 * Docker name in dockershim's convention, k8s_<container>_<pod>_<namespace>_<uid>_<attempt>,
 * so `docker ps` reads like a kubelet node. Unique per instance.
 */
export function dockerContainerName(pod: Pod, containerName: string, attempt: number): string {
  return `k8s_${containerName}_${pod.metadata.name}_${pod.metadata.namespace ?? "default"}_${pod.metadata.uid}_${attempt}`;
}

/** The label filter selecting this node's containers. */
export function nodeLabelFilter(nodeName: string): string {
  return `${LABELS.node}=${nodeName}`;
}

const ROLES = new Set<ContainerRole>(["infra", "init", "app"]);

/** Reads the identity labels back; undefined for containers we did not create. */
export function parseContainerLabels(labels: Record<string, string> | null | undefined): LabelledContainer | undefined {
  if (!labels) return undefined;
  const role = labels[LABELS.role] as ContainerRole;
  const podUid = labels[LABELS.podUid];
  if (!ROLES.has(role) || !podUid) return undefined;
  const grace = Number(labels[LABELS.gracePeriod]);
  return {
    role,
    podUid,
    podNamespace: labels[LABELS.podNamespace] ?? "default",
    podName: labels[LABELS.podName] ?? "",
    containerName: labels[LABELS.containerName] ?? "",
    attempt: Number(labels[LABELS.restartCount] ?? 0) || 0,
    backoffStep: Number(labels[LABELS.backoffStep] ?? 0) || 0,
    image: labels[LABELS.image] ?? "",
    gracePeriodSeconds: Number.isFinite(grace) && labels[LABELS.gracePeriod] !== undefined ? grace : undefined,
    specHash: labels[LABELS.specHash],
    sandboxId: labels[LABELS.sandbox],
  };
}
