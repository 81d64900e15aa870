/**
 * The value a field selector compares against. Upstream builds a flat
 * `fields.Set` per kind from the Go struct, so absent strings are "", absent
 * booleans "false" and absent counters "0"; reading our JSON objects by dotted
 * path has to reproduce those zero values or `status.phase!=Failed` and
 * `spec.unschedulable=false` would disagree with a real API server.
 */

/** Field labels whose upstream value is not simply the JSON at that path. */
const derived: Record<string, (obj: any) => unknown> = {
  // Events: the reporting component, falling back to the newer field.
  source: (o) => o?.source?.component || o?.reportingComponent,
  // Pods: upstream reads the first of podIPs (the conversion keeps both in step).
  "status.podIP": (o) => o?.status?.podIPs?.[0]?.ip || o?.status?.podIP,
  // Jobs: the old name for status.succeeded.
  "status.successful": (o) => o?.status?.succeeded,
};

/** Zero values of non-string fields that kubectl and controllers select on. */
const zeroValues: Record<string, string> = {
  "spec.unschedulable": "false",
  "spec.hostNetwork": "false",
  "status.replicas": "0",
  "status.successful": "0",
};

function atPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const segment of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[segment];
  }
  return cur;
}

export function fieldValue(obj: unknown, field: string): string {
  const v = field in derived ? derived[field](obj) : atPath(obj, field);
  if (v === undefined || v === null || v === "") return zeroValues[field] ?? "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  // Objects and lists are not selectable upstream; treat them as unset.
  return zeroValues[field] ?? "";
}
