/**
 * Where the Worker reads RBAC objects from: ClusterRoles and
 * ClusterRoleBindings from the cluster store, Roles and RoleBindings from the
 * namespace's store, each kept POLICY_TTL_MS in the isolate (ttl-cache.ts).
 * A write to an RBAC object through this isolate drops its copy at once, so
 * `kubectl create rolebinding` followed by a request as that user works.
 */
import type { Env } from "../env.js";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "../schema/rbac.js";
import { storeFor } from "../durable/stubs.js";
import { unwrap } from "../durable/result.js";
import { dns1123LabelErrors } from "../registry/names.js";
import type { ClusterPolicy, NamespacePolicy, PolicySource } from "./authorize.js";
import { TtlCache } from "./ttl-cache.js";

export const POLICY_TTL_MS = 5_000;

const clusterCache = new TtlCache<ClusterPolicy>(POLICY_TTL_MS, 1);
const namespaceCache = new TtlCache<NamespacePolicy>(POLICY_TTL_MS);

async function listAll<T>(env: Env, namespace: string | undefined, resource: string): Promise<T[]> {
  return unwrap(await storeFor(env, namespace).list(resource, {})).items as unknown as T[];
}

export function storePolicySource(env: Env): PolicySource {
  return {
    cluster: () =>
      clusterCache.get("cluster", async () => {
        const [clusterRoles, clusterRoleBindings] = await Promise.all([
          listAll<ClusterRole>(env, undefined, "clusterroles"),
          listAll<ClusterRoleBinding>(env, undefined, "clusterrolebindings"),
        ]);
        return { clusterRoles, clusterRoleBindings };
      }),
    namespace: (namespace) => {
      // No store holds a namespace with an impossible name: do not wake one to learn it is empty.
      if (dns1123LabelErrors(namespace).length) return Promise.resolve({ roles: [], roleBindings: [] });
      return namespaceCache.get(namespace, async () => {
        const [roles, roleBindings] = await Promise.all([
          listAll<Role>(env, namespace, "roles"),
          listAll<RoleBinding>(env, namespace, "rolebindings"),
        ]);
        return { roles, roleBindings };
      });
    },
  };
}

/** Called after a write to an RBAC object passed through this isolate. */
export function forgetPolicy(namespace: string | undefined): void {
  if (namespace) namespaceCache.delete(namespace);
  else clusterCache.clear();
}
