/**
 * The node authorizer (upstream's Node authorizer plus NodeRestriction
 * admission, in one place): a node credential reaches its own Node and
 * Lease, the pods bound to it, and the ConfigMaps and Secrets those pods
 * reference; everything else only through NODE_STATIC_RULES. Pure: what
 * relates an object to a node is asked of a NodeGraph.
 */
import type { Decision } from "./authorize.js";
import { NODE_STATIC_RULES } from "./node-rules.js";
import { rulesAllow } from "./policy-rule.js";
import type { RequestAttributes, ResourceAttributes } from "./request-attributes.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** What ties objects to a node; answers come from the stores (src/auth/node-graph.ts). */
export interface NodeGraph {
  /** spec.nodeName of a pod, undefined when there is no such pod or it is not bound. */
  podNode(namespace: string, name: string): Promise<string | undefined>;
  /** Whether a pod bound to `node` in `namespace` reads this ConfigMap or Secret (volumes, env, envFrom). */
  referencedByPods(node: string, namespace: string, resource: "configmaps" | "secrets", name: string): Promise<boolean>;
  /** Whether an Ingress in `namespace` serves TLS with this Secret (spec.tls[].secretName). */
  ingressTLSSecret(namespace: string, name: string): Promise<boolean>;
  /** metadata.name of the object in a create request's body. */
  createdName(): Promise<string | undefined>;
}

/** "system:node:<name>" in the system:nodes group, as upstream's NodeIdentifier recognises nodes. */
export function nodeNameOf(user: { name: string; groups: string[] }): string | undefined {
  if (!user.groups.includes("system:nodes") || !user.name.startsWith("system:node:")) return undefined;
  return user.name.slice("system:node:".length) || undefined;
}

const allow: Decision = { allowed: true, reason: "" };
const deny = (reason: string): Decision => ({ allowed: false, reason });
const noRelationship = (node: string) => deny(`no relationship found between node '${node}' and this object`);

/** `spec.nodeName=<node>` (or `==`) among the requirements of a field selector. */
export function selectsNode(fieldSelector: string, node: string): boolean {
  return fieldSelector
    .split(",")
    .map((r) => r.trim())
    .some((r) => {
      const m = /^spec\.nodeName(==|=)(.*)$/.exec(r);
      return !!m && m[2] === node;
    });
}

async function authorizePod(node: string, a: ResourceAttributes, graph: NodeGraph): Promise<Decision> {
  if (a.subresource === "" && (a.verb === "list" || a.verb === "watch"))
    return selectsNode(a.fieldSelector, node) ? allow : deny(`can only ${a.verb} pods with spec.nodeName=${node} field selector`);
  const mayDo = a.subresource === "" ? ["get", "delete"] : a.subresource === "status" ? ["get", "update", "patch"] : [];
  if (!mayDo.includes(a.verb) || !a.name) return deny(`node '${node}' cannot ${a.verb} ${a.subresource ? `pods/${a.subresource}` : "pods"}`);
  return (await graph.podNode(a.namespace, a.name)) === node ? allow : noRelationship(node);
}

async function authorizeNodeObject(node: string, a: ResourceAttributes, graph: NodeGraph): Promise<Decision> {
  if (a.subresource === "" && ["get", "list", "watch"].includes(a.verb)) return allow;
  if (a.subresource === "" && a.verb === "create")
    return (await graph.createdName()) === node ? allow : deny(`node '${node}' can only create its own Node object`);
  if ((a.subresource === "" || a.subresource === "status") && ["update", "patch"].includes(a.verb))
    return a.name === node ? allow : deny(`node '${node}' can only modify its own Node object`);
  return deny(`node '${node}' cannot ${a.verb} nodes${a.subresource ? `/${a.subresource}` : ""}`);
}

async function authorizeLease(node: string, a: ResourceAttributes, graph: NodeGraph): Promise<Decision> {
  if (a.namespace !== NODE_LEASE_NAMESPACE) return deny(`can only access leases in the ${NODE_LEASE_NAMESPACE} namespace`);
  if (a.verb === "create")
    return (await graph.createdName()) === node ? allow : deny("can only access node lease with the same name as the requesting node");
  if (!["get", "update", "patch", "delete"].includes(a.verb) || a.subresource) return deny(`node '${node}' cannot ${a.verb} leases`);
  return a.name === node ? allow : deny("can only access node lease with the same name as the requesting node");
}

async function authorizeReferenced(node: string, a: ResourceAttributes, graph: NodeGraph): Promise<Decision> {
  if (a.verb !== "get" || !a.name || a.subresource) return deny("can only get individual resources of this type");
  const resource = a.resource as "configmaps" | "secrets";
  if (await graph.referencedByPods(node, a.namespace, resource, a.name)) return allow;
  // Every node proxies Ingress traffic, so it terminates TLS with the Ingresses' certificates.
  if (resource === "secrets" && (await graph.ingressTLSSecret(a.namespace, a.name))) return allow;
  return noRelationship(node);
}

/** /kubeflare/v1/nodes/{node}/...: the agents' own endpoints, each node only its own. */
function authorizeAgentPath(node: string, path: string): Decision | undefined {
  const m = /^\/kubeflare\/v1\/nodes\/([^/]+)(\/|$)/.exec(path);
  if (!m) return undefined;
  let target = m[1];
  try {
    target = decodeURIComponent(target);
  } catch {
    // An undecodable name is no node's name.
  }
  return target === node ? allow : deny(`node '${node}' can only use the endpoints of node '${node}'`);
}

/**
 * The node authorizer's decision. A refusal still lets RBAC decide after it
 * (an admin may bind a node to more), as upstream chains Node,RBAC; its
 * reason is what the Forbidden message carries.
 */
export async function authorizeNode(node: string, attrs: RequestAttributes, graph: NodeGraph): Promise<Decision> {
  if (attrs.kind === "nonResource") return authorizeAgentPath(node, attrs.path) ?? deny("");
  const group = attrs.apiGroup;
  if (group === "" && attrs.resource === "pods") return authorizePod(node, attrs, graph);
  if (group === "" && attrs.resource === "nodes") return authorizeNodeObject(node, attrs, graph);
  if (group === "" && (attrs.resource === "secrets" || attrs.resource === "configmaps")) return authorizeReferenced(node, attrs, graph);
  if (group === "coordination.k8s.io" && attrs.resource === "leases") return authorizeLease(node, attrs, graph);
  return rulesAllow(attrs, NODE_STATIC_RULES) ? allow : deny("");
}
