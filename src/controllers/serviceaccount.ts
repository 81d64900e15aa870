/**
 * The ServiceAccounts controller (pkg/controller/serviceaccount): every
 * active namespace has a `default` ServiceAccount, recreated if deleted.
 * Pods that name no service account are admitted with `default`, so a
 * namespace without it cannot run pods.
 */
import type { Namespace, ServiceAccount } from "../schema/core.js";
import type { ReconcileResult, Snapshot } from "./types.js";

/** The names the controller keeps present (its --service-account-names default). */
export const ManagedServiceAccounts = ["default"];

export interface ServiceAccountsInput {
  namespace: string;
  /** The Namespace object, when known: a terminating namespace gets nothing new. */
  namespaceObject?: Namespace;
  serviceAccounts: readonly ServiceAccount[];
}

export function reconcileServiceAccounts({ namespace, namespaceObject, serviceAccounts }: ServiceAccountsInput): ReconcileResult {
  const terminating = namespaceObject?.status?.phase === "Terminating" || namespaceObject?.metadata.deletionTimestamp;
  if (terminating) return { actions: [] };
  const present = new Set(serviceAccounts.map((sa) => sa.metadata.name));
  return {
    actions: ManagedServiceAccounts.filter((name) => !present.has(name)).map((name) => ({
      type: "create" as const,
      resource: "serviceaccounts",
      object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
    })),
  };
}

/** Snapshot entry point: the namespace's ServiceAccounts are read from the snapshot. */
export function syncServiceAccounts(snapshot: Snapshot, namespaceObject?: Namespace): ReconcileResult {
  return reconcileServiceAccounts({
    namespace: snapshot.namespace,
    namespaceObject,
    serviceAccounts: snapshot.objects("serviceaccounts") as ServiceAccount[],
  });
}
