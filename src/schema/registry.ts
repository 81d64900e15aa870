/**
 * The one table of kinds the API serves: group/version, names, scope, verbs,
 * subresources and the zod schema. Discovery, OpenAPI, routing, validation
 * and storage all read it, so adding a kind is one entry here.
 */
import type { ZodType } from "zod";
import * as core from "./core.js";
import * as apps from "./apps.js";
import * as batch from "./batch.js";
import * as net from "./networking.js";
import * as rbac from "./rbac.js";
import * as authz from "./authorization.js";
import * as authn from "./authentication.js";

export interface Subresource {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural, lower-case: the URL segment (`pods`). */
  resource: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  schema: ZodType;
  /**
   * False for kinds that are questions answered in the response and never
   * stored (access reviews): they are served by their own handler, not a store.
   */
  persisted: boolean;
}

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const statusSub = (group: string, version: string, kind: string): Subresource => ({
  name: "status",
  group,
  version,
  kind,
  verbs: ["get", "patch", "update"],
});
const scaleSub: Subresource = {
  name: "scale",
  group: "autoscaling",
  version: "v1",
  kind: "Scale",
  verbs: ["get", "patch", "update"],
};

function kind(
  group: string,
  version: string,
  kind: string,
  resource: string,
  opts: {
    namespaced?: boolean;
    shortNames?: string[];
    categories?: string[];
    /** Serves `/status`, of the kind itself, as every kind with a status does. */
    status?: boolean;
    /** Serves `/scale` as autoscaling/v1 Scale. */
    scale?: boolean;
    /** Further subresources, after status and scale. */
    subresources?: Subresource[];
    schema: ZodType;
    verbs?: string[];
    persisted?: boolean;
  },
): ResourceType {
  return {
    group,
    version,
    kind,
    resource,
    singular: kind.toLowerCase(),
    shortNames: opts.shortNames ?? [],
    namespaced: opts.namespaced ?? true,
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? allVerbs,
    subresources: [
      ...(opts.status ? [statusSub(group, version, kind)] : []),
      ...(opts.scale ? [scaleSub] : []),
      ...(opts.subresources ?? []),
    ],
    schema: opts.schema,
    persisted: opts.persisted ?? true,
  };
}

export const resourceTypes: ResourceType[] = [
  kind("", "v1", "Namespace", "namespaces", { namespaced: false, shortNames: ["ns"], status: true, schema: core.Namespace }),
  kind("", "v1", "Node", "nodes", { namespaced: false, shortNames: ["no"], status: true, schema: core.Node }),
  kind("", "v1", "Pod", "pods", {
    shortNames: ["po"],
    categories: ["all"],
    status: true,
    subresources: [
      { name: "log", group: "", version: "v1", kind: "Pod", verbs: ["get"] },
      { name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
      { name: "binding", group: "", version: "v1", kind: "Binding", verbs: ["create"] },
    ],
    schema: core.Pod,
  }),
  kind("", "v1", "ConfigMap", "configmaps", { shortNames: ["cm"], schema: core.ConfigMap }),
  kind("", "v1", "Secret", "secrets", { schema: core.Secret }),
  kind("", "v1", "Service", "services", { shortNames: ["svc"], categories: ["all"], status: true, schema: core.Service }),
  kind("", "v1", "Endpoints", "endpoints", { shortNames: ["ep"], schema: core.Endpoints }),
  kind("", "v1", "ServiceAccount", "serviceaccounts", { shortNames: ["sa"], schema: core.ServiceAccount }),
  kind("", "v1", "Event", "events", { shortNames: ["ev"], schema: core.Event }),
  kind("apps", "v1", "Deployment", "deployments", { shortNames: ["deploy"], categories: ["all"], status: true, scale: true, schema: apps.Deployment }),
  kind("apps", "v1", "ReplicaSet", "replicasets", { shortNames: ["rs"], categories: ["all"], status: true, scale: true, schema: apps.ReplicaSet }),
  kind("apps", "v1", "DaemonSet", "daemonsets", { shortNames: ["ds"], categories: ["all"], status: true, schema: apps.DaemonSet }),
  kind("batch", "v1", "Job", "jobs", { categories: ["all"], status: true, schema: batch.Job }),
  kind("batch", "v1", "CronJob", "cronjobs", { shortNames: ["cj"], categories: ["all"], status: true, schema: batch.CronJob }),
  kind("networking.k8s.io", "v1", "Ingress", "ingresses", { shortNames: ["ing"], status: true, schema: net.Ingress }),
  kind("networking.k8s.io", "v1", "IngressClass", "ingressclasses", { namespaced: false, schema: net.IngressClass }),
  kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", { schema: net.EndpointSlice }),
  kind("coordination.k8s.io", "v1", "Lease", "leases", { schema: net.Lease }),
  kind("rbac.authorization.k8s.io", "v1", "Role", "roles", { schema: rbac.Role }),
  kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", { namespaced: false, schema: rbac.ClusterRole }),
  kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", { schema: rbac.RoleBinding }),
  kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", { namespaced: false, schema: rbac.ClusterRoleBinding }),
  ...(["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"] as const).map((k) =>
    kind("authorization.k8s.io", "v1", k, `${k.toLowerCase()}s`, { namespaced: false, verbs: ["create"], persisted: false, schema: authz[k] }),
  ),
  kind("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", {
    namespaced: false,
    verbs: ["create"],
    persisted: false,
    schema: authn.SelfSubjectReview,
  }),
];

export const groupVersion = (t: { group: string; version: string }) =>
  t.group ? `${t.group}/${t.version}` : t.version;

/** All group-versions served, core first (discovery order matters to no one, but stable output helps caching). */
export const groupVersions = (): { group: string; version: string }[] => {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of resourceTypes) seen.set(groupVersion(t), { group: t.group, version: t.version });
  return [...seen.values()];
};

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => groupVersion(t) === apiVersion && t.kind === kind);
}

export function resourceByName(resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.resource === resource);
}

/** "deployments.apps", the way Kubernetes names a resource in messages. */
export const qualifiedResource = (t: ResourceType) => (t.group ? `${t.resource}.${t.group}` : t.resource);
