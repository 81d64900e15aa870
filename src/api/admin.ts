/**
 * The admin-only endpoints of kubeflare itself (audit log, encryption keys).
 * Until RBAC decides, "admin" means the system:masters group, which the
 * apiserver never subjects to authorization either.
 */
import { KubeError } from "../errors.js";
import type { UserInfo } from "./auth.js";

export function requireAdmin(user: UserInfo, verb: string, path: string): void {
  if (user.groups.includes("system:masters")) return;
  throw new KubeError(403, "Forbidden", `forbidden: User "${user.name}" cannot ${verb} path "${path}"`);
}
