/**
 * Rows for RoleBinding and ClusterRoleBinding (printRoleBinding). Role and
 * ClusterRole print as upstream does, Name and Created At: the default printer.
 */
import type { KubeObject } from "../../schema/meta.js";
import type { RoleBinding, Subject } from "../../schema/rbac.js";
import { since } from "./duration.js";
import { type Printer, ageColumn, column, nameColumn } from "./types.js";

/** Users, groups and service accounts ("namespace/name") of a binding (rbac.SubjectsStrings). */
export function subjectsStrings(subjects: Subject[]): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of subjects) {
    if (s.kind === "User") out.users.push(s.name);
    else if (s.kind === "Group") out.groups.push(s.name);
    else if (s.kind === "ServiceAccount") out.serviceAccounts.push(`${s.namespace ?? ""}/${s.name}`);
  }
  return out;
}

function bindingPrinter(roleRefDescription: string, noun: string): Printer {
  return {
    columns: [
      nameColumn(),
      column("Role", "string", roleRefDescription),
      ageColumn(),
      column("Users", "string", `Users in the ${noun}`, { priority: 1 }),
      column("Groups", "string", `Groups in the ${noun}`, { priority: 1 }),
      column("ServiceAccounts", "string", `ServiceAccounts in the ${noun}`, { priority: 1 }),
    ],
    print(obj: KubeObject, now: number) {
      const b = obj as unknown as RoleBinding;
      const { users, groups, serviceAccounts } = subjectsStrings(b.subjects ?? []);
      return {
        cells: [
          b.metadata.name,
          `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`,
          since(b.metadata.creationTimestamp, now),
          users.join(", "),
          groups.join(", "),
          serviceAccounts.join(", "),
        ],
      };
    },
  };
}

export const roleBindingPrinter = bindingPrinter(
  "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  "roleBinding",
);

export const clusterRoleBindingPrinter = bindingPrinter(
  "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  "clusterRoleBinding",
);
