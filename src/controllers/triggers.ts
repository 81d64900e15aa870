/**
 * Which controller keys a change wakes, the informer event handlers of
 * kube-controller-manager in one pure function. Keys are "<controller>:<name>".
 * Being level-triggered, a missed key only delays convergence until the
 * next change or resync touches the object again.
 */
import type { KubeObject } from "../schema/meta.js";
import type { Service } from "../schema/core.js";
import { controllerRefOf } from "./controller-ref.js";
import { selectedPods } from "./endpoint-pods.js";

const OWNER_KEYS: Record<string, string> = {
  ReplicaSet: "replicaset",
  DaemonSet: "daemonset",
  Job: "job",
  Deployment: "deployment",
  CronJob: "cronjob",
};

const SELF_KEYS: Record<string, string> = {
  replicasets: "replicaset",
  deployments: "deployment",
  daemonsets: "daemonset",
  jobs: "job",
  cronjobs: "cronjob",
  services: "endpoints",
  ingresses: "ingress",
};

export const SCHEDULER_KEY = "scheduler:";
export const SERVICE_ACCOUNTS_KEY = "serviceaccounts:";
export const GC_KEY = "gc:";

export interface TriggerContext {
  services(): Service[];
  /** Keys of every ReplicaSet, DaemonSet and Job: owners that may adopt an orphan pod. */
  adopters(): string[];
  /** Names of the namespace's Ingresses: a Service change may fix or break their backends. */
  ingresses?(): string[];
}

export function keysForChange(resource: string, before: KubeObject | undefined, after: KubeObject | null, ctx: TriggerContext): string[] {
  const keys = new Set<string>();
  const objects = [before, after ?? undefined].filter((o): o is KubeObject => !!o);
  for (const o of objects) {
    const owner = controllerRefOf(o);
    if (owner && OWNER_KEYS[owner.kind]) keys.add(`${OWNER_KEYS[owner.kind]}:${owner.name}`);
  }
  const self = SELF_KEYS[resource];
  if (self) keys.add(`${self}:${(after ?? before)!.metadata.name}`);
  if (resource === "pods") {
    if (after && !after.spec?.nodeName && !after.metadata.deletionTimestamp) keys.add(SCHEDULER_KEY);
    // Pods without a controller may be adopted by any matching owner.
    if (after && !controllerRefOf(after)) for (const k of ctx.adopters()) keys.add(k);
    for (const svc of ctx.services()) {
      if (objects.some((o) => selectedPods(svc, [o as never]).length > 0)) keys.add(`endpoints:${svc.metadata.name}`);
    }
  }
  // Owners being deleted, and objects gone that others may point at: the collector sweeps the namespace.
  if (after?.metadata.deletionTimestamp || (before && after === null)) keys.add(GC_KEY);
  if (resource === "serviceaccounts") keys.add(SERVICE_ACCOUNTS_KEY);
  if (resource === "services") {
    keys.add(`loadbalancer:${(after ?? before)!.metadata.name}`);
    for (const name of ctx.ingresses?.() ?? []) keys.add(`ingress:${name}`);
  }
  return [...keys];
}
