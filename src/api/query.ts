/** Query parameters of resource requests, read once and typed. */
import { KubeError, badRequest } from "../errors.js";
import { decodeContinue, parseResourceVersion, type ListQuery } from "../durable/list-query.js";

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
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw badRequest(`invalid value for ${name}: "${v}": must be an integer`);
  return Number(v);
}

/** Upstream's FieldManagerMaxLength. */
const FIELD_MANAGER_MAX_LENGTH = 128;
const OPTIONS_KIND: Record<string, string> = { POST: "CreateOptions", PUT: "UpdateOptions", PATCH: "PatchOptions" };

/** ValidateFieldManager: at most 128 characters, all printable (the name lands in every object's managedFields). */
function checkFieldManager(method: string, manager: string | null): void {
  if (manager === null || !OPTIONS_KIND[method]) return;
  let why: string | undefined;
  if (manager.length > FIELD_MANAGER_MAX_LENGTH) why = `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`;
  else {
    const bad = [...manager].findIndex((ch) => /[\p{C}\p{Z}]/u.test(ch) && ch !== " ");
    if (bad >= 0) why = `Invalid value: ${JSON.stringify(manager)}: invalid character at position ${bad}`;
  }
  if (why)
    throw new KubeError(422, "Invalid", `${OPTIONS_KIND[method]}.meta.k8s.io "" is invalid: fieldManager: ${why}`, {
      group: "meta.k8s.io",
      kind: OPTIONS_KIND[method],
      causes: [{ reason: "FieldValueInvalid", field: "fieldManager", message: why }],
    });
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
  if (timeoutSeconds !== undefined && timeoutSeconds < 0) throw badRequest("timeoutSeconds must not be negative");
  checkFieldManager(request.method, url.searchParams.get("fieldManager"));
  const list: ListQuery = {
    labelSelector: url.searchParams.get("labelSelector") ?? undefined,
    fieldSelector: url.searchParams.get("fieldSelector") ?? undefined,
    limit,
    continue: url.searchParams.get("continue") ?? undefined,
    resourceVersion: url.searchParams.get("resourceVersion") ?? undefined,
    timeoutSeconds,
    allowWatchBookmarks: boolParam(url, "allowWatchBookmarks"),
  };
  if (request.method === "GET") checkListQuery(list);
  return {
    dryRun: dryRun.length > 0,
    fieldValidation: fv as RequestOptions["fieldValidation"],
    fieldManager: url.searchParams.get("fieldManager") ?? undefined,
    force: boolParam(url, "force"),
    watch: boolParam(url, "watch"),
    table: wantsTable(request.headers.get("accept")),
    includeObject: include as RequestOptions["includeObject"],
    list,
  };
}

/**
 * The version and continue token of a read (or deletecollection), parsed up
 * front: whichever store answers, and across namespaces when several do,
 * garbage is a 400 rather than ignored.
 */
export function checkListQuery(list: ListQuery): void {
  parseResourceVersion(list.resourceVersion);
  if (list.continue) decodeContinue(list.continue);
}
