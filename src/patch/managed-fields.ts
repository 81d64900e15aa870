/**
 * `metadata.managedFields`: one entry per field manager, each holding the
 * set of fields it owns. An Apply manager is identified by its name (and
 * subresource); an Update manager also by the apiVersion it wrote with, as
 * apiserver's BuildManagerIdentifier does.
 */
import { FieldSet } from "./field-set.js";
import { isObject, type JsonObject } from "./json-value.js";

export type Operation = "Apply" | "Update";

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** A type alias (not an interface) so it fits ObjectMeta's open entry shape. */
export type ManagedFieldsEntry = {
  manager: string;
  operation: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
  subresource?: string;
};

export function sameManager(a: Omit<Manager, "fields">, b: Omit<Manager, "fields">): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation === "Apply" || (a.apiVersion ?? "") === (b.apiVersion ?? ""))
  );
}

/** Reads stored entries; entries without a manager name (the `[{}]` reset) are dropped. */
export function decodeManagedFields(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== "string" || !e.manager) continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation === "Apply" ? "Apply" : "Update",
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    if (typeof e.apiVersion === "string") m.apiVersion = e.apiVersion;
    if (typeof e.time === "string") m.time = e.time;
    if (typeof e.subresource === "string" && e.subresource) m.subresource = e.subresource;
    const same = out.find((o) => sameManager(o, m));
    if (same) same.fields = same.fields.union(m.fields);
    else out.push(m);
  }
  return out;
}

/** Entries in Kubernetes' order: Apply before Update, then by time, manager, subresource, apiVersion. */
export function encodeManagedFields(managers: Manager[]): ManagedFieldsEntry[] {
  const sorted = managers
    .filter((m) => !m.fields.empty)
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        cmp(p.time ?? "", q.time ?? "") ||
        cmp(p.manager, q.manager) ||
        cmp(p.subresource ?? "", q.subresource ?? "") ||
        cmp(p.apiVersion ?? "", q.apiVersion ?? ""),
    );
  // Key order as Kubernetes writes it: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource.
  return sorted.map((m) => {
    const e = { manager: m.manager, operation: m.operation } as ManagedFieldsEntry;
    if (m.apiVersion) e.apiVersion = m.apiVersion;
    if (m.time) e.time = m.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = m.fields.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** How a conflict names a manager: `"kubectl"`, or `"kubectl" using apps/v1` for an Update manager. */
export function describeManager(m: Omit<Manager, "fields">): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion ?? ""}`;
  return s;
}
