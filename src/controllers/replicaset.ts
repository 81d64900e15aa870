/**
 * ReplicaSet controller (upstream pkg/controller/replicaset): keep
 * `spec.replicas` active pods matching the selector, adopting orphans and
 * releasing pods that stopped matching, and report what it sees in status.
 */
import type { ReplicaSet } from "../schema/apps.js";
import type { Pod, PodTemplateSpec } from "../schema/core.js";
import type { KubeObject } from "../schema/meta.js";
import type { Action, ReconcileResult, Snapshot } from "./types.js";
import { claimObjects, newControllerRef, selectorMatcher } from "./controller-ref.js";
import { eventAction, type TypeMeta } from "./events.js";
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from "./pod-state.js";
import { podsToDelete } from "./pod-deletion-order.js";

export const replicaSetType: TypeMeta = { apiVersion: "apps/v1", kind: "ReplicaSet" };
const COMPONENT = "replicaset-controller";
/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** names.SimpleNameGenerator keeps generated names within 63 characters. */
const MAX_GENERATED_BASE = 58;

/** The name a generateName prefix yields with a given random suffix. */
export const generatedName = (prefix: string, suffix: string) => prefix.slice(0, MAX_GENERATED_BASE) + suffix;

/**
 * controller.GetPodFromTemplate: labels, annotations and finalizers from the
 * template, a controllerRef to the owner, and a name chosen here (rather than
 * by the API server from generateName) so the SuccessfulCreate event can name it.
 */
export function podFromTemplate(
  template: PodTemplateSpec,
  owner: KubeObject,
  ownerType: TypeMeta,
  name: string,
  extraLabels: Record<string, string> = {},
): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ownerReferences: [newControllerRef(owner, ownerType)],
    },
    spec: structuredClone(template.spec),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers && meta.finalizers.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

type RSStatus = NonNullable<ReplicaSet["status"]>;

/** calculateStatus: counts over the owned active pods; zero counts are omitted as upstream's omitempty does. */
export function replicaSetStatus(rs: ReplicaSet, pods: Pod[], now: number): RSStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  const fullyLabeled = pods.filter((p) =>
    Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
  ).length;
  const status: RSStatus = { ...(rs.status ?? {}), replicas: pods.length };
  const set = (key: "fullyLabeledReplicas" | "readyReplicas" | "availableReplicas" | "observedGeneration", n: number | undefined) => {
    if (n) status[key] = n;
    else delete status[key];
  };
  set("fullyLabeledReplicas", fullyLabeled);
  set("readyReplicas", pods.filter(isPodReady).length);
  set("availableReplicas", pods.filter((p) => isPodAvailable(p, minReady, now)).length);
  set("observedGeneration", rs.metadata.generation);
  return status;
}

const sameStatus = (a: RSStatus | undefined, b: RSStatus) => JSON.stringify(a ?? {}) === JSON.stringify(b);

export function reconcileReplicaSet(
  rs: ReplicaSet,
  allPods: Pod[],
  now: number,
  randomSuffix: () => string,
): ReconcileResult {
  const actions: Action[] = [];
  const matcher = selectorMatcher(rs.spec.selector);
  if (!matcher) return { actions };
  // Finished and terminating pods neither count nor get claimed (FilterActivePods).
  const claim = claimObjects(rs, replicaSetType, matcher, allPods.filter(isPodActive));
  for (const pod of claim.updates) actions.push({ type: "update", resource: "pods", object: pod });
  const pods = claim.owned;

  if (rs.metadata.deletionTimestamp == null) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0 && rs.spec.template) {
      for (let i = 0; i < Math.min(-diff, BURST_REPLICAS); i++) {
        const pod = podFromTemplate(rs.spec.template, rs, replicaSetType, generatedName(`${rs.metadata.name}-`, randomSuffix()));
        actions.push({ type: "create", resource: "pods", object: pod });
        actions.push(eventAction(rs, replicaSetType, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, COMPONENT));
      }
    } else if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, BURST_REPLICAS), now);
      for (const pod of victims) {
        actions.push({ type: "delete", resource: "pods", name: pod.metadata.name!, uid: pod.metadata.uid });
        actions.push(eventAction(rs, replicaSetType, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, COMPONENT));
      }
    }
  }

  // Like upstream, status describes the pods observed in this pass; deletions show up in the next.
  const status = replicaSetStatus(rs, pods, now);
  if (!sameStatus(rs.status, status)) {
    actions.push({ type: "updateStatus", resource: "replicasets", object: { ...rs, status } });
  }
  // A ready pod turns available minReadySeconds later without any write to wake us.
  const waits = pods
    .map((p) => msUntilAvailable(p, rs.spec.minReadySeconds ?? 0, now))
    .filter((ms): ms is number => ms !== undefined);
  return waits.length ? { actions, requeueAfter: Math.min(...waits) } : { actions };
}

/** Snapshot entry point for the key `replicasets/<name>`. */
export function syncReplicaSet(snapshot: Snapshot, name: string, randomSuffix: () => string): ReconcileResult {
  const rs = snapshot.objects("replicasets").find((o) => o.metadata.name === name) as ReplicaSet | undefined;
  if (!rs) return { actions: [] };
  return reconcileReplicaSet(rs, snapshot.objects("pods") as Pod[], snapshot.now, randomSuffix);
}
