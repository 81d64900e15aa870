/**
 * The per-node side of the DaemonSet controller (pkg/controller/daemon and
 * daemon/util): which nodes should run a daemon pod, what that pod looks
 * like, and which of a DaemonSet's pods sit on which node.
 */
import type { DaemonSet } from "../schema/apps.js";
import type { Node, Pod } from "../schema/core.js";
import { newControllerRef } from "./controller-ref.js";
import type { TypeMeta } from "./events.js";
import { computePodTemplateHash } from "./pod-template-hash.js";
import { nodeMatchesRequiredAffinity } from "./scheduler/node-affinity.js";
import { daemonSetPodTolerations, findUntoleratedTaint, isNoScheduleOrNoExecute } from "./scheduler/taints.js";
import { parseTime } from "./time.js";

export const daemonSetType: TypeMeta = { apiVersion: "apps/v1", kind: "DaemonSet" };
/** The label telling a pod's template revision (apps.DefaultDaemonSetUniqueLabelKey). */
export const ControllerRevisionHashLabel = "controller-revision-hash";
export const PodTemplateGenerationLabel = "pod-template-generation";
const TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

/** The revision hash of the DaemonSet's current template. */
export const daemonSetHash = (ds: DaemonSet): string =>
  computePodTemplateHash(ds.spec.template, ds.status?.collisionCount as number | undefined);

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the pod is pinned with a required
 * `metadata.name` matchFields term, and the scheduler binds it. The term
 * replaces the template's own (already checked against the node here).
 */
function pinnedAffinity(affinity: Pod["spec"]["affinity"], nodeName: string): NonNullable<Pod["spec"]["affinity"]> {
  return {
    ...(affinity ?? {}),
    nodeAffinity: {
      ...(affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }],
      },
    },
  };
}

/**
 * NewPod / CreatePodTemplate: the template with the daemon tolerations, the
 * revision labels, a controllerRef and the node pin. `name` is chosen by the
 * caller so the SuccessfulCreate event can name the pod.
 */
export function newDaemonPod(ds: DaemonSet, hash: string, nodeName: string, name: string): Pod {
  const template = ds.spec.template;
  const meta = template.metadata ?? {};
  const spec = structuredClone(template.spec);
  spec.tolerations = daemonSetPodTolerations(spec.tolerations, spec.hostNetwork === true);
  spec.affinity = pinnedAffinity(spec.affinity, nodeName);
  const generation = ds.metadata.annotations?.[TemplateGenerationAnnotation] ?? ds.metadata.generation;
  const labels: Record<string, string> = { ...(meta.labels ?? {}), [ControllerRevisionHashLabel]: hash };
  if (generation !== undefined) labels[PodTemplateGenerationLabel] = String(generation);
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels,
      ownerReferences: [newControllerRef(ds, daemonSetType)],
    },
    spec,
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  return pod;
}

/** The pod the controller would create, used to test a node (no name needed). */
function probePod(ds: DaemonSet): Pod {
  const spec = ds.spec.template.spec;
  return {
    metadata: {},
    spec: { ...spec, tolerations: daemonSetPodTolerations(spec.tolerations, spec.hostNetwork === true) },
  };
}

export interface NodePlacement {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (it tolerates every NoExecute taint). */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: node name, nodeSelector and required node affinity
 * must match; NoSchedule/NoExecute taints must be tolerated to start, and
 * only NoExecute ones matter for a pod already running.
 */
export function nodePlacementFor(ds: DaemonSet): (node: Node) => NodePlacement {
  const pod = probePod(ds);
  const wantedNode = pod.spec.nodeName;
  const tolerations = pod.spec.tolerations;
  return (node) => {
    const name = node.metadata.name ?? "";
    if ((wantedNode && wantedNode !== name) || !nodeMatchesRequiredAffinity(pod, node)) {
      return { shouldRun: false, shouldContinueRunning: false };
    }
    const taints = node.spec?.taints;
    if (!findUntoleratedTaint(taints, tolerations, isNoScheduleOrNoExecute)) {
      return { shouldRun: true, shouldContinueRunning: true };
    }
    const evicted = findUntoleratedTaint(taints, tolerations, (t) => t.effect === "NoExecute");
    return { shouldRun: false, shouldContinueRunning: !evicted };
  };
}

/** GetTargetNodeName: the bound node, or the one its affinity pins an unscheduled pod to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

const isTerminal = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/**
 * getNodesToDaemonPods: the DaemonSet's pods by target node, minus finished
 * pods already being deleted (nothing left for the controller to do with them).
 */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byCreationAndBinding(a: Pod, b: Pod): number {
  const aBound = !!a.spec?.nodeName;
  const bBound = !!b.spec?.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** IsPodUpdated: the pod carries the current revision hash. */
export const isPodUpdated = (pod: Pod, hash: string): boolean => pod.metadata.labels?.[ControllerRevisionHashLabel] === hash;
