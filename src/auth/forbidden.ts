/** The 403 Status of a refused request, worded exactly as the apiserver words it (responsewriters.Forbidden). */
import { KubeError } from "../errors.js";
import type { UserInfo } from "../api/auth.js";
import { combinedResource, type RequestAttributes } from "./request-attributes.js";

export function forbiddenMessage(user: UserInfo, a: RequestAttributes): string {
  if (a.kind === "nonResource") return `User "${user.name}" cannot ${a.verb} path "${a.path}"`;
  const what = `User "${user.name}" cannot ${a.verb} resource "${combinedResource(a)}" in API group "${a.apiGroup}"`;
  return a.namespace ? `${what} in the namespace "${a.namespace}"` : `${what} at the cluster scope`;
}

export function forbidden(user: UserInfo, a: RequestAttributes, reason: string): KubeError {
  const why = reason ? `${forbiddenMessage(user, a)}: ${reason}` : forbiddenMessage(user, a);
  if (a.kind === "nonResource") return new KubeError(403, "Forbidden", `forbidden: ${why}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const message = a.name ? `${qualified} "${a.name}" is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  return new KubeError(403, "Forbidden", message, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
