/** Query parameters of resource requests, read once and typed. */
import { badRequest } from "../errors.js";
import type { ListQuery } from "../durable/list-query.js";

export interface RequestOptions {
  dryRun: boolean;
  fieldValidation: "Strict" | "Warn" | "Ignore";
  fieldManager?: string;
  force: boolean;
  watch: boolean;
  table: boolean;
  includeObject: "None" | "Metadata" | "Object";
  list: ListQuery;
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: "${v}": must be an integer`);
  return Number(v);
}

const boolParam = (url: URL, name: string) => ["true", "1"].includes(url.searchParams.get(name) ?? "");

export const wantsTable = (accept: string | null) => !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

export function readOptions(request: Request): RequestOptions {
  const url = new URL(request.url);
  const dryRun = url.searchParams.getAll("dryRun");
  for (const d of dryRun) if (d !== "All") throw badRequest(`unsupported dry run value "${d}": only "All" is supported`);
  const fv = url.searchParams.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(fv))
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", "Strict", got "${fv}"`);
  const include = url.searchParams.get("includeObject") ?? "Metadata";
  if (!["None", "Metadata", "Object"].includes(include)) throw badRequest(`includeObject must be None, Metadata or Object`);
  const limit = intParam(url, "limit");
  const timeoutSeconds = intParam(url, "timeoutSeconds");
  if (limit !== undefined && limit < 0) throw badRequest("limit must not be negative");
  return {
    dryRun: dryRun.length > 0,
    fieldValidation: fv as RequestOptions["fieldValidation"],
    fieldManager: url.searchParams.get("fieldManager") ?? undefined,
    force: boolParam(url, "force"),
    watch: boolParam(url, "watch"),
    table: wantsTable(request.headers.get("accept")),
    includeObject: include as RequestOptions["includeObject"],
    list: {
      labelSelector: url.searchParams.get("labelSelector") ?? undefined,
      fieldSelector: url.searchParams.get("fieldSelector") ?? undefined,
      limit,
      continue: url.searchParams.get("continue") ?? undefined,
      resourceVersion: url.searchParams.get("resourceVersion") ?? undefined,
      timeoutSeconds,
      allowWatchBookmarks: boolParam(url, "allowWatchBookmarks"),
    },
  };
}
