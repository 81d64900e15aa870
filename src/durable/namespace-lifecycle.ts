/**
 * Whether a namespace store accepts new objects. The cluster store, which
 * owns Namespace objects, tells each namespace store its phase, so a create
 * costs no extra round trip to check that the namespace exists.
 */
import { KubeError } from "../errors.js";
import type { ObjectTable } from "./object-table.js";

export type NamespacePhase = "Active" | "Terminating";

export function namespaceLifecycle(table: ObjectTable, builtin: string[]) {
  const phaseOf = (ns: string): NamespacePhase | undefined => {
    const p = table.meta(`phase:${ns}`);
    if (p === "Active" || p === "Terminating") return p;
    if (p === "Gone") return undefined;
    return builtin.includes(ns) ? "Active" : undefined;
  };
  return {
    phaseOf,
    setPhase(ns: string, phase: NamespacePhase | null): void {
      table.setMeta(`phase:${ns}`, phase ?? "Gone");
      table.setMeta("namespace", ns);
    },
    /** Rejects creates in a namespace that does not exist or is being deleted. */
    assertWritable(ns: string | undefined, resource: string): void {
      if (ns === undefined) return;
      const phase = phaseOf(ns);
      if (!phase) throw new KubeError(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
      if (phase === "Terminating" && resource !== "events")
        throw new KubeError(
          403,
          "Forbidden",
          `${resource} is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
          { name: ns, kind: "namespaces" },
        );
    },
  };
}
