/**
 * Turns a REST path into what it addresses:
 *   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}/{resource}[/{name}[/{subresource}]]   (cluster-scoped, or all namespaces)
 */
import { KubeError, badRequest } from "../errors.js";
import { findResource, type ResourceType } from "../schema/registry.js";

export interface ResourceRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export const notFoundPath = () => new KubeError(404, "NotFound", "the server could not find the requested resource");

/** A path segment with its escapes undone; a broken escape (`%E0%A4%A`) is the client's error, as Go's URL parser says. */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`invalid URL escape in path segment ${JSON.stringify(s)}`);
  }
}

export function parseResourcePath(group: string, version: string, rest: string[]): ResourceRequest {
  const seg = rest.map(decodeSegment);
  if (seg.some((s) => s === "" || s === "." || s === ".." || s.includes("/"))) throw notFoundPath();
  if (seg[0] === "namespaces" && seg.length >= 3 && seg[2] !== "status" && seg[2] !== "finalize") {
    const type = findResource(group, version, seg[2]);
    if (!type || !type.namespaced || seg.length > 5) throw notFoundPath();
    return { type, namespace: seg[1], name: seg[3], subresource: seg[4] };
  }
  const type = findResource(group, version, seg[0]);
  if (!type || seg.length > 3) throw notFoundPath();
  // A namespaced type without a namespace is a list or watch across all namespaces.
  if (type.namespaced && seg.length > 1) throw notFoundPath();
  return { type, name: seg[1], subresource: seg[2] };
}
