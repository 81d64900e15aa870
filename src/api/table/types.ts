/**
 * meta.k8s.io/v1 Table pieces and the shape of one kind's printer. The API
 * server always renders the wide set of cells; kubectl hides priority-1
 * columns unless `-o wide` is given.
 */
import type { KubeObject } from "../../schema/meta.js";

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

export interface Printer {
  columns: TableColumnDefinition[];
  /** `now` is milliseconds since the epoch, for Age and other relative times. */
  print(obj: KubeObject, now: number): PrintedRow;
}

export function column(
  name: string,
  type: string,
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? "", description, priority: opts.priority ?? 0 };
}

const nameDescription =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const creationTimestampDescription =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** `format: "name"` is what makes kubectl print `pod/nginx` in `get all`. */
export const nameColumn = (opts: { priority?: number } = {}) =>
  column("Name", "string", nameDescription, { ...opts, format: "name" });
export const ageColumn = () => column("Age", "string", creationTimestampDescription);
export const createdAtColumn = () => column("Created At", "date", creationTimestampDescription);

/** The Containers, Images and Selector columns shared by every workload kind. */
export const templateColumns = (selectorDescription: string) => [
  column("Containers", "string", "Names of each container in the template.", { priority: 1 }),
  column("Images", "string", "Images referenced by each container in the template.", { priority: 1 }),
  column("Selector", "string", selectorDescription, { priority: 1 }),
];

/** Comma-joined container names and images, one entry per container. */
export function layoutContainerCells(containers: { name: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(","), list.map((c) => c.image ?? "").join(",")];
}

/** Up to `max` entries, then "+ N more..."; "<unset>" when empty (listWithMoreString). */
export function listWithMore(list: string[], max = 3): string {
  if (list.length === 0) return "<unset>";
  const shown = list.slice(0, max).join(",");
  return list.length > max ? `${shown} + ${list.length - max} more...` : shown;
}

/** net.JoinHostPort: IPv6 addresses are bracketed. */
export const joinHostPort = (host: string, port: number | string) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
