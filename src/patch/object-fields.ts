/**
 * The fields an object sets, as server-side apply sees them (the structured
 * merge diff `ToFieldSet` rules): scalars, atomic lists and structs, set
 * members, and list-map items by key (`k:{"name":"web"}`); the patch-meta
 * table says which list is which. Also finds and removes a field by path.
 */
import { badRequest } from "../errors.js";
import { FieldSet, fieldElement, keyElement, valueElement, type FieldPath } from "./field-set.js";
import { deepEqual, isObject, type JsonObject } from "./json-value.js";
import { listKeys, memberMeta, rootType, shapeOf, type FieldMeta, type Shape } from "./patch-meta.js";

export interface FieldEntry {
  path: FieldPath;
  value: unknown;
  /** Leaves compare by value; other members (list items, maps) only exist or not. */
  leaf: boolean;
}

export type FieldValues = Map<string, FieldEntry>;

/** Server-maintained fields nobody owns (apiserver stripMeta). */
const ignoredMetadata = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "managedFields",
]);

export interface CollectOptions {
  /** Fail on list items without their key fields or with duplicate keys (an applied config). */
  strict?: boolean;
  /** Record Go maps (`labels`) as members too, as an Update's diff does (`"f:labels":{".":{}}`). */
  withMaps?: boolean;
  /** Top-level fields the operation does not own, e.g. `status` for the main resource. */
  resetFields?: string[];
}

/** The key of a list-map item, with schema defaults for missing key fields; undefined when a key is missing. */
export function itemKey(item: unknown, meta: FieldMeta): Record<string, unknown> | undefined {
  const keys = listKeys(meta);
  if (!keys || !isObject(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? meta.keyDefaults?.[k];
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return key;
}

/** A list is treated as a list-map only when the table gives keys and every item is an object. */
export const isListMap = (list: unknown[], meta: FieldMeta): boolean =>
  listKeys(meta) !== undefined && list.every(isObject);

export function collectFields(obj: unknown, kind: string, opts: CollectOptions = {}): FieldValues {
  const out: FieldValues = new Map();
  const add = (path: FieldPath, value: unknown, leaf: boolean) => out.set(JSON.stringify(path), { path, value, leaf });
  const reset = new Set(opts.resetFields ?? []);

  const walkObject = (o: JsonObject, shape: Shape, path: FieldPath) => {
    for (const [k, v] of Object.entries(o)) {
      if (path.length === 0 && (k === "apiVersion" || k === "kind" || reset.has(k))) continue;
      if (path.length === 1 && path[0] === "f:metadata" && ignoredMetadata.has(k)) continue;
      walkValue(v, memberMeta(shape, k), [...path, fieldElement(k)], shape.map !== undefined);
    }
  };

  const walkValue = (v: unknown, meta: FieldMeta, path: FieldPath, inMap: boolean) => {
    if (v === null || meta.atomic || (!Array.isArray(v) && !isObject(v))) return add(path, v, true);
    if (Array.isArray(v)) return walkList(v, meta, path);
    if (Object.keys(v).length === 0) return add(path, v, true);
    if (inMap || (opts.withMaps && meta.map)) add(path, v, false);
    walkObject(v, shapeOf(meta), path);
  };

  const walkList = (list: unknown[], meta: FieldMeta, path: FieldPath) => {
    // An empty list-map or set sets nothing (structured-merge-diff ToFieldSet).
    if (isListMap(list, meta)) {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        const key = itemKey(item, meta);
        if (!key) {
          if (!opts.strict) return;
          const missing = listKeys(meta)!.find((k) => (item as JsonObject)[k] == null);
          throw badRequest(
            `${pathOf(path)}: element ${i}: associative list with keys has an element that omits key field "${missing}" (and doesn't have default value)`,
          );
        }
        const pe = keyElement(key);
        if (seen.has(pe)) {
          if (opts.strict) throw badRequest(`${pathOf(path)}: duplicate entries for key ${pe.slice(2)}`);
          return;
        }
        seen.add(pe);
        add([...path, pe], item, false);
        walkObject(item as JsonObject, { type: meta.type }, [...path, pe]);
      });
      return;
    }
    if (meta.listType === "set" && list.every((x) => !isObject(x) && !Array.isArray(x))) {
      for (const x of list) add([...path, valueElement(x)], x, true);
      return;
    }
    add(path, list, true);
  };

  if (isObject(obj)) walkObject(obj, { type: rootType(kind) }, []);
  return out;
}

const pathOf = (path: FieldPath) => path.map((e) => e.slice(2)).join(".");

export const fieldSetOf = (values: FieldValues): FieldSet => FieldSet.of([...values.values()].map((e) => e.path));

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed between two objects, field by field (structured merge diff Compare). */
export function compareFields(before: FieldValues, after: FieldValues): Comparison {
  const added: FieldPath[] = [];
  const modified: FieldPath[] = [];
  const removed: FieldPath[] = [];
  for (const [k, e] of after) {
    const b = before.get(k);
    if (!b) added.push(e.path);
    else if ((e.leaf || b.leaf) && !deepEqual(b.value, e.value)) modified.push(e.path);
  }
  for (const [k, e] of before) if (!after.has(k)) removed.push(e.path);
  return { added: FieldSet.of(added), modified: FieldSet.of(modified), removed: FieldSet.of(removed) };
}

/**
 * Removes the field at `path` from `obj` (in place). Containers left empty
 * by the removal go too, unless `keep` says someone owns them.
 */
export function removeField(obj: JsonObject, path: FieldPath, kind: string, keep: (p: FieldPath) => boolean): void {
  const chain: { container: JsonObject | unknown[]; at: string | number }[] = [];
  let cur: unknown = obj;
  let shape: Shape = { type: rootType(kind) };
  let meta: FieldMeta = {};
  for (const e of path) {
    const body = e.slice(2);
    let at: string | number;
    if (e.startsWith("f:") && isObject(cur)) {
      at = body;
      if (!(at in cur)) return;
      meta = memberMeta(shape, body);
    } else if (Array.isArray(cur) && e.startsWith("k:")) {
      const want = keyElement(JSON.parse(body) as JsonObject);
      const m = meta;
      at = cur.findIndex((item) => {
        const k = itemKey(item, m);
        return k !== undefined && keyElement(k) === want;
      });
      meta = { type: meta.type };
    } else if (Array.isArray(cur) && e.startsWith("v:")) {
      const v = JSON.parse(body);
      at = cur.findIndex((x) => deepEqual(x, v));
    } else if (Array.isArray(cur) && e.startsWith("i:")) {
      at = Number(body) < cur.length ? Number(body) : -1;
    } else {
      return;
    }
    if (at === -1) return;
    chain.push({ container: cur as JsonObject | unknown[], at });
    cur = (cur as Record<string | number, unknown>)[at];
    shape = shapeOf(meta);
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { container, at } = chain[i];
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    const emptied = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    if (i === 0 || !emptied || keep(path.slice(0, i))) return;
  }
}
