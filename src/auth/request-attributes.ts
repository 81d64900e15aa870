/**
 * What a request asks to do, in the terms authorization decides on
 * (upstream's RequestInfoFactory): a verb, and either a resource (group,
 * resource, subresource, namespace, name) or a non-resource path.
 */

export interface ResourceAttributes {
  kind: "resource";
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  /** "" for cluster-scoped requests and for lists across all namespaces. */
  namespace: string;
  name: string;
  /** Raw `fieldSelector` of a list or watch (the node authorizer reads spec.nodeName from it). */
  fieldSelector: string;
}

export interface NonResourceAttributes {
  kind: "nonResource";
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** Parts after /namespaces/{ns} that belong to the Namespace itself, not a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

const METHOD_VERBS: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const isTrue = (v: string | null) => v === "true" || v === "1";

export function requestAttributes(method: string, url: URL): RequestAttributes {
  const path = url.pathname;
  const nonResource = (): NonResourceAttributes => ({ kind: "nonResource", verb: method.toLowerCase(), path });
  const segments = path.split("/").filter((s) => s !== "").map(decode);
  let parts: string[];
  let apiGroup: string;
  let apiVersion: string;
  if (segments[0] === "api" && segments.length >= 3) {
    apiGroup = "";
    apiVersion = segments[1];
    parts = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    apiGroup = segments[1];
    apiVersion = segments[2];
    parts = segments.slice(3);
  } else return nonResource();

  let verb = METHOD_VERBS[method.toUpperCase()] ?? method.toLowerCase();
  // The deprecated /watch/ prefix: a watch whatever the query says.
  if (parts[0] === "watch") {
    verb = "watch";
    parts = parts.slice(1);
  }
  let namespace = "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  const resource = parts[0] ?? "";
  const name = parts[1] ?? "";
  const subresource = parts[2] ?? "";
  if (!name) {
    if (verb === "get") verb = isTrue(url.searchParams.get("watch")) ? "watch" : "list";
    else if (verb === "delete") verb = "deletecollection";
  }
  return {
    kind: "resource",
    verb,
    apiGroup,
    apiVersion,
    resource,
    subresource,
    namespace,
    name,
    fieldSelector: url.searchParams.get("fieldSelector") ?? "",
  };
}

/** `pods` or `pods/status`: how rules and messages name what was asked for. */
export const combinedResource = (a: ResourceAttributes) => (a.subresource ? `${a.resource}/${a.subresource}` : a.resource);
