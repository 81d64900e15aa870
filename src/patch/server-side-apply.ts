/**
 * Server-side apply (`application/apply-patch+yaml`, `?fieldManager=&force=`)
 * and the managedFields bookkeeping of ordinary writes, following
 * structured-merge-diff's Updater: merge the configuration into the live
 * object, prune what this manager applied before and no longer applies
 * (unless someone else owns it), then settle ownership; a change to a field
 * another manager owns is a 409 Conflict unless forced.
 */
import { KubeError, badRequest, type Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { mergeApplied } from "./apply-merge.js";
import { FieldSet, pathString, type FieldPath } from "./field-set.js";
import { clone, isObject, type JsonObject } from "./json-value.js";
import { decodeManagedFields, describeManager, encodeManagedFields, sameManager, type Manager } from "./managed-fields.js";
import { collectFields, compareFields, fieldSetOf, removeField } from "./object-fields.js";
import { allowedConflictsFromLastApplied, syncLastApplied, upgradesClientSideApply } from "./last-applied.js";
import { rootType } from "./patch-meta.js";

export interface ApplyOptions {
  /** The `fieldManager` query parameter; required for apply. */
  manager: string;
  kind: string;
  /** `force=true`: take ownership of conflicting fields instead of failing. */
  force: boolean;
  /** RFC 3339 time stamped on this manager's entry. */
  now: string;
  /** "status" when applying to the status subresource. */
  subresource?: string;
  /** Top-level fields this endpoint resets and nobody owns through it (e.g. ["status"] on the main resource). */
  resetFields?: string[];
}

export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  if (!opts.manager) throw badRequest("fieldManager is required for apply requests");
  if (!isObject(applied)) throw badRequest("an apply patch must be an object");
  const config = clone(applied) as JsonObject;
  const meta = config.metadata;
  if (meta !== undefined && meta !== null && !isObject(meta)) throw badRequest("metadata must be an object");
  if (isObject(meta) && meta.managedFields != null) {
    if (!Array.isArray(meta.managedFields) || meta.managedFields.length > 0) throw badRequest("metadata.managedFields must be nil");
    delete meta.managedFields;
  }
  for (const f of opts.resetFields ?? []) delete config[f];

  const base = (live ? clone(live) : {}) as JsonObject;
  const managers = decodeManagedFields(live?.metadata?.managedFields);
  const liveFields = collectFields(base, opts.kind);
  const appliedSet = fieldSetOf(collectFields(config, opts.kind, { strict: true, resetFields: opts.resetFields }));

  const me: Omit<Manager, "fields"> = { manager: opts.manager, operation: "Apply", subresource: opts.subresource };
  const previous = managers.find((m) => sameManager(m, me));
  const others = managers.filter((m) => m !== previous);

  const merged = mergeApplied(base, config, { type: rootType(opts.kind) });
  if (previous) prune(merged, previous.fields.difference(appliedSet), [appliedSet, ...others.map((m) => m.fields)], opts.kind);

  const diff = compareFields(liveFields, collectFields(merged, opts.kind));
  const changed = diff.added.union(diff.modified);
  const conflicts = others
    .map((m) => ({ m, fields: m.fields.intersection(changed) }))
    .filter((c) => !c.fields.empty);
  if (conflicts.length > 0 && !opts.force) {
    // kubectl may take over what its client-side apply set (apiserver lastAppliedManager).
    const allowed = live && upgradesClientSideApply(opts.manager) ? allowedConflictsFromLastApplied(live, opts.kind) : new FieldSet();
    const remaining = conflicts
      .map((c) => ({ m: c.m, fields: c.fields.difference(allowed) }))
      .filter((c) => !c.fields.empty);
    if (remaining.length > 0) throw applyConflict(remaining);
  }

  const settled: Manager[] = [];
  for (const m of others) {
    const lost = conflicts.find((c) => c.m === m)?.fields ?? new FieldSet();
    settled.push({ ...m, fields: m.fields.difference(lost).difference(diff.removed) });
  }
  const apiVersion = typeof config.apiVersion === "string" ? config.apiVersion : live?.apiVersion;
  settled.push({ ...me, apiVersion, time: opts.now, fields: appliedSet });
  const out = withManagedFields(merged, settled);
  if (upgradesClientSideApply(opts.manager)) syncLastApplied(out, config);
  return out;
}

/** Removes fields this manager let go of, keeping any that another manager still owns. */
function prune(obj: JsonObject, released: FieldSet, owners: FieldSet[], kind: string): void {
  const owned = (p: FieldPath) => owners.some((s) => s.covers(p));
  const paths = released.paths().sort((a, b) => a.length - b.length);
  for (const p of paths) if (!owned(p)) removeField(obj, p, kind, owned);
}

function applyConflict(conflicts: { m: Manager; fields: FieldSet }[]): KubeError {
  const all = conflicts
    .flatMap(({ m, fields }) => fields.paths().map((p) => ({ who: describeManager(m), path: pathString(p) })))
    .sort((a, b) => (a.who === b.who ? cmp(a.path, b.path) : cmp(a.who, b.who)));
  const causes: Cause[] = all.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${c.who}`, field: c.path }));
  let message: string;
  if (all.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${all[0].who}: ${all[0].path}`;
  } else {
    const lines: string[] = [];
    for (const who of [...new Set(all.map((c) => c.who))]) {
      lines.push(`conflicts with ${who}:`);
      for (const c of all) if (c.who === who) lines.push(`- ${c.path}`);
    }
    message = `Apply failed with ${all.length} conflicts: ${lines.join("\n")}`;
  }
  return new KubeError(409, "Conflict", message, { causes });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function withManagedFields(obj: JsonObject, managers: Manager[]): KubeObject {
  const out = obj as KubeObject;
  const entries = encodeManagedFields(managers);
  out.metadata = { ...(isObject(out.metadata) ? out.metadata : {}) };
  if (entries.length > 0) out.metadata.managedFields = entries;
  else delete out.metadata.managedFields;
  return out;
}

export interface UpdateOptions {
  /** Defaults to `after.kind`. */
  kind?: string;
  subresource?: string;
}

/**
 * Records a non-apply write (create, update, patch) by `manager`: it takes
 * ownership of every field it added or changed, other managers lose those
 * fields and any that were removed. Never conflicts, as in Kubernetes.
 * Returns a copy of `after` carrying the new managedFields.
 */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  now: string,
  opts: UpdateOptions = {},
): KubeObject {
  const kind = opts.kind ?? after.kind ?? before?.kind ?? "";
  const apiVersion = after.apiVersion ?? before?.apiVersion;
  const out = clone(after) as JsonObject;
  // A writer that sends its own managedFields (e.g. `[{}]` to reset them) is taken at its word.
  const sent = after.metadata?.managedFields;
  const stored = before?.metadata?.managedFields;
  const explicit = Array.isArray(sent) && sent.length > 0 && JSON.stringify(sent) !== JSON.stringify(stored);
  const managers = decodeManagedFields(explicit ? sent : stored);

  const diff = compareFields(
    collectFields(before ?? {}, kind, { withMaps: true }),
    collectFields(after, kind, { withMaps: true }),
  );
  const touched = diff.added.union(diff.modified);
  const me: Omit<Manager, "fields"> = { manager, operation: "Update", apiVersion, subresource: opts.subresource };
  const settled: Manager[] = [];
  let mine = new FieldSet();
  for (const m of managers) {
    if (sameManager(m, me)) mine = m.fields;
    else settled.push({ ...m, fields: m.fields.difference(touched).difference(diff.removed) });
  }
  mine = mine.difference(diff.removed).union(touched);
  if (manager && !mine.empty) settled.push({ ...me, time: now, fields: mine });
  return withManagedFields(out, settled);
}
