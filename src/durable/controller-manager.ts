/**
 * The controller manager of one namespace store: maps a queued key to its
 * pure reconcile function and hands it a snapshot of the namespace. The
 * store applies the returned actions (see `applyActions` in the store).
 */
import type { KubeObject } from "../schema/meta.js";
import type { Node, Pod, Service, Endpoints, Namespace } from "../schema/core.js";
import type { EndpointSlice, Ingress } from "../schema/networking.js";
import type { DaemonSet } from "../schema/apps.js";
import type { ReconcileResult, Snapshot } from "../controllers/types.js";
import { syncReplicaSet } from "../controllers/replicaset.js";
import { syncDeployment } from "../controllers/deployment.js";
import { syncJob } from "../controllers/job.js";
import { syncCronJob } from "../controllers/cronjob.js";
import { reconcileDaemonSet } from "../controllers/daemonset.js";
import { reconcileEndpoints } from "../controllers/endpoints.js";
import { reconcileLoadBalancer } from "../controllers/service-load-balancer.js";
import { reconcileIngress } from "../controllers/ingress-status.js";
import { syncServiceAccounts } from "../controllers/serviceaccount.js";
import { reconcileNodeLifecycle } from "../controllers/node-lifecycle.js";
import { randomSuffix } from "../registry/names.js";

export interface NamespaceView {
  namespace: string;
  now: number;
  objects(resource: string): KubeObject[];
  get(resource: string, name: string): KubeObject | undefined;
  /** Nodes as last told by the cluster store. */
  nodes(): Node[];
  namespaceObject(): Namespace | undefined;
}

const none: ReconcileResult = { actions: [] };

export function snapshotOf(view: NamespaceView): Snapshot {
  return { namespace: view.namespace, now: view.now, objects: (r) => view.objects(r) };
}

/** Runs the controller a key names; unknown keys are dropped (a newer build may have queued them). */
export function reconcileKey(key: string, view: NamespaceView): ReconcileResult {
  const sep = key.indexOf(":");
  const controller = key.slice(0, sep);
  const name = key.slice(sep + 1);
  const snapshot = snapshotOf(view);
  const suffix = () => randomSuffix();
  switch (controller) {
    case "replicaset":
      return view.get("replicasets", name) ? syncReplicaSet(snapshot, name, suffix) : none;
    case "deployment":
      return view.get("deployments", name) ? syncDeployment(snapshot, name) : none;
    case "job":
      return view.get("jobs", name) ? syncJob(snapshot, name, suffix) : none;
    case "cronjob":
      return view.get("cronjobs", name) ? syncCronJob(snapshot, name) : none;
    case "daemonset": {
      const ds = view.get("daemonsets", name) as DaemonSet | undefined;
      if (!ds) return none;
      return reconcileDaemonSet(ds, { nodes: view.nodes(), pods: view.objects("pods") as Pod[], now: view.now });
    }
    case "endpoints":
      return reconcileEndpoints(
        view.get("services", name) as Service | undefined,
        view.objects("pods") as Pod[],
        view.get("endpoints", name) as Endpoints | undefined,
        view.objects("endpointslices") as EndpointSlice[],
      );
    case "loadbalancer":
      return reconcileLoadBalancer(view.get("services", name) as Service | undefined, view.nodes());
    case "ingress":
      return reconcileIngress(view.get("ingresses", name) as Ingress | undefined, view.objects("services") as Service[], view.nodes());
    case "serviceaccounts":
      return syncServiceAccounts(snapshot, view.namespaceObject());
    case "nodepods":
      return nodePods(view, name);
    default:
      return none;
  }
}

/**
 * The pod half of the node lifecycle, run where the pods live: the cluster
 * store owns the Node (conditions, taints); each namespace evicts its own
 * pods from a node that went silent once their toleration runs out, and
 * force-deletes pods bound to a node that no longer exists (pod GC).
 */
function nodePods(view: NamespaceView, nodeName: string): ReconcileResult {
  const pods = (view.objects("pods") as Pod[]).filter((p) => p.spec?.nodeName === nodeName);
  if (!pods.length) return none;
  const node = view.nodes().find((n) => n.metadata.name === nodeName);
  if (!node) {
    return {
      actions: pods.map((p) => ({
        type: "delete" as const,
        resource: "pods",
        name: p.metadata.name!,
        uid: p.metadata.uid,
        gracePeriodSeconds: 0,
      })),
    };
  }
  // The cluster store decided whether the node is alive (its Ready condition); its verdict stands here.
  const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  const r = reconcileNodeLifecycle({ node, now: view.now, podsOnNode: pods, silent: !ready });
  return {
    actions: r.actions.filter((a) => (a.type === "event" ? a.involvedObject.kind === "Pod" : a.resource === "pods")),
    requeueAfter: r.requeueAfter,
  };
}
