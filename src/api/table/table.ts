/**
 * Server-side printing: when kubectl's Accept asks for
 * `as=Table;v=v1;g=meta.k8s.io`, lists, single objects and watch events are
 * answered with a meta.k8s.io/v1 Table whose cells kubectl prints verbatim.
 */
import type { KubeObject } from "../../schema/meta.js";
import { type ResourceType, groupVersion } from "../../schema/registry.js";
import { printerFor } from "./printers.js";
import type { TableColumnDefinition, TableRowCondition } from "./types.js";

export type IncludeObjectPolicy = "None" | "Object" | "Metadata";

export interface TableOptions {
  /** Milliseconds since the epoch; every relative time (Age, Last Seen...) is measured from here. */
  now: number;
  /** `?includeObject=`; kubectl's `--sort-by` asks for Object. Defaults to Metadata. */
  includeObject?: IncludeObjectPolicy;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Watch events after the first may leave the headers out; kubectl reuses the ones it printed. */
  noHeaders?: boolean;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: Record<string, unknown>;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** The kind's columns, priority-1 (wide) ones included, as fresh copies. */
export function columnDefinitionsFor(resourceType: Pick<ResourceType, "group" | "kind">): TableColumnDefinition[] {
  return printerFor(resourceType).columns.map((c) => ({ ...c }));
}

/**
 * What goes in `rows[].object`: kubectl reads NAMESPACE and `--show-labels`
 * from it, and needs `kind`/`apiVersion` there or it prints a broken table.
 */
function rowObject(
  resourceType: ResourceType,
  obj: KubeObject,
  policy: IncludeObjectPolicy,
): Record<string, unknown> | undefined {
  if (policy === "None") return undefined;
  if (policy === "Object") {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
    return { apiVersion: groupVersion(resourceType), kind: resourceType.kind, ...rest };
  }
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export function toTable(resourceType: ResourceType, objects: KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(resourceType);
  const policy = opts.includeObject ?? "Metadata";
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, opts.now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(resourceType, obj, policy);
    if (object) row.object = object;
    return row;
  });
  const metadata: Table["metadata"] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: opts.noHeaders ? null : columnDefinitionsFor(resourceType),
    rows,
  };
}
