/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`)
 * for built-in kinds, following apimachinery's strategicpatch.mergeMap with
 * the options the API server uses (MergeParallelList, IgnoreUnmatchedNulls).
 * This is what `kubectl apply` (client-side), `patch`, `set image`,
 * `rollout restart` and `cordon` send.
 *
 * Directives: `$patch: replace|delete|merge` in maps and list items,
 * `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`;
 * `null` deletes a field. Lists merge by key only where the kind's types.go
 * declares `patchStrategy:"merge"`; other lists are replaced whole.
 */
import { badRequest } from "../errors.js";
import { clone, deepEqual, dropNulls, isObject, jsonType, type JsonObject } from "./json-value.js";
import { normalizeOrder, sameId, type ItemId } from "./list-order.js";
import { memberMeta, mergeStrategy, rootType, shapeOf, type FieldMeta, type Shape } from "./patch-meta.js";

const directiveMarker = "$patch";
const retainKeysDirective = "$retainKeys";
const setElementOrderPrefix = "$setElementOrder/";
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

/** Result of merging a map carrying `$patch: delete`: the field goes away. */
const deleted = Symbol("deleted");

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Applies a strategic merge patch to a copy of `original`, using the merge
 * keys of `kind` ("Pod", "Deployment", ...). Malformed directives are 400s.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, kind: string): unknown {
  if (!isObject(patch)) throw badRequest(`strategic merge patch must be a JSON object, got ${jsonType(patch)}`);
  const base = isObject(original) ? clone(original) : {};
  const out = mergeMap(base, clone(patch), { type: rootType(kind) }, "");
  return out === deleted ? {} : out;
}

function mergeMap(original: JsonObject, patch: JsonObject, shape: Shape, path: string): JsonObject | typeof deleted {
  if (directiveMarker in patch) {
    const directive = patch[directiveMarker];
    delete patch[directiveMarker];
    if (directive === "delete") return deleted;
    if (directive === "replace") return fresh(patch, shape, path) as JsonObject;
    // `merge` is the default for maps; saying it is harmless.
    if (directive !== "merge") throw badRequest(`Unknown patch type: ${String(directive)} in map at ${path || "<root>"}`);
  }
  applyRetainKeys(original, patch, path);
  applySetElementOrder(original, patch, shape, path);

  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      deletions.push([key.slice(deleteFromPrimitiveListPrefix.length), value]);
      continue;
    }
    if (key.startsWith("$")) throw badRequest(`unknown strategic merge patch directive "${key}" at ${path || "<root>"}`);
    const meta = memberMeta(shape, key);
    const where = at(path, key);
    if (value === null) {
      delete original[key];
      continue;
    }
    const current = original[key];
    const result =
      current === undefined || jsonType(current) !== jsonType(value)
        ? fresh(value, shapeOf(meta), where, meta)
        : mergeValue(current, value, meta, where);
    if (result === deleted) delete original[key];
    else original[key] = result;
  }
  for (const [key, values] of deletions) deleteFromPrimitiveList(original, key, values, at(path, key));
  return original;
}

function mergeValue(current: unknown, value: unknown, meta: FieldMeta, path: string): unknown {
  if (isObject(current) && isObject(value)) {
    if (mergeStrategy(meta) === "replace") return fresh(value, shapeOf(meta), path, meta);
    return mergeMap(current, value, shapeOf(meta), path);
  }
  if (Array.isArray(current) && Array.isArray(value)) {
    if (mergeStrategy(meta) === "merge") return mergeList(current, value, meta, path);
    return fresh(value, shapeOf(meta), path, meta);
  }
  return value;
}

/**
 * A patch value landing where the original has nothing (or something of
 * another type): it is merged into an empty value, so directives inside it
 * are honoured and stripped rather than stored.
 */
function fresh(value: unknown, shape: Shape, path: string, meta: FieldMeta = {}): unknown {
  if (isObject(value)) return mergeMap({}, value, shape, path);
  if (Array.isArray(value)) {
    if (mergeStrategy(meta) === "merge") return mergeList([], value, meta, path);
    return value.map((v) => dropNulls(v));
  }
  return value;
}

const isDirective = (v: unknown): v is JsonObject => isObject(v) && directiveMarker in v;

function mergeList(original: unknown[], patch: unknown[], meta: FieldMeta, path: string): unknown[] {
  const items = [...original, ...patch.filter((v) => !isDirective(v))];
  const primitive = items.length > 0 ? items.every((v) => !isObject(v)) : !meta.patchMergeKey;
  if (primitive) return mergePrimitives(original, patch, path);
  if (!items.every(isObject)) throw badRequest(`list element types are not identical in ${path}`);
  const key = meta.patchMergeKey;
  if (!key) throw badRequest(`cannot merge lists without merge key for ${path}`);
  const id: ItemId = (v) => (v as JsonObject)[key];

  let base = original.slice();
  const regular: JsonObject[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!isDirective(item)) {
      regular.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === "delete") {
      if (!(key in item)) throw noMergeKey(item, key, path);
      base = base.filter((o) => !sameId(id(o), item[key]));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive !== "merge") {
      throw badRequest(`Unknown patch type: ${String(directive)} in list ${path}`);
    }
  }
  if (replace) base = [];

  for (const item of regular) {
    if (!(key in item)) throw noMergeKey(item, key, path);
    const where = `${path}[${key}=${JSON.stringify(item[key])}]`;
    const i = base.findIndex((o) => sameId(id(o), item[key]));
    if (i < 0) base.push(fresh(item, shapeOf(meta), where));
    else base[i] = mergeMap(base[i] as JsonObject, item, shapeOf(meta), where);
  }
  const merged = base.filter((v) => v !== deleted);
  return normalizeOrder(merged, regular, original, id);
}

function mergePrimitives(original: unknown[], patch: unknown[], path: string): unknown[] {
  const directives = patch.filter(isDirective);
  for (const d of directives) {
    if (d[directiveMarker] !== "replace" && d[directiveMarker] !== "merge") {
      throw badRequest(`Unknown patch type: ${String(d[directiveMarker])} in list ${path}`);
    }
  }
  const values = patch.filter((v) => !isDirective(v));
  if (directives.some((d) => d[directiveMarker] === "replace")) return dedupe(values);
  const id: ItemId = (v) => v;
  return normalizeOrder(dedupe([...original, ...values]), values, original, id);
}

const dedupe = (list: unknown[]): unknown[] => list.filter((v, i) => list.findIndex((x) => deepEqual(x, v)) === i);

const noMergeKey = (item: JsonObject, key: string, path: string) =>
  badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key} (in ${path})`);

/** `$retainKeys`: clear every original field the list does not name. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!(retainKeysDirective in patch)) return;
  const keep = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === "string")) {
    throw badRequest(`invalid patch format of retainKeys at ${path || "<root>"}`);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith("$")) continue;
    if (!keep.includes(k)) {
      throw badRequest(`invalid patch format of retainKeys at ${path || "<root>"}: "${k}" is not in $retainKeys`);
    }
  }
  for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
}

/** `$setElementOrder/<list>`: merge that list now and order it as the directive says. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, shape: Shape, path: string): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    const name = directiveKey.slice(setElementOrderPrefix.length);
    const where = at(path, name);
    if (!name || !Array.isArray(order)) throw badRequest(`invalid patch format of setElementOrder list at ${where}`);
    const meta = memberMeta(shape, name);
    const live = original[name];
    const patchList = patch[name];
    if (!Array.isArray(patchList) && patchList !== undefined) continue; // null deletes, left to the main loop
    if (live !== undefined && !Array.isArray(live)) continue;
    const items = [...order, ...((live as unknown[]) ?? []), ...(patchList ?? []).filter((v) => !isDirective(v))];
    const key = items.some(isObject) ? meta.patchMergeKey : undefined;
    if (items.some(isObject) && !key) throw badRequest(`cannot merge lists without merge key for ${where}`);
    const id: ItemId = key ? (v) => (isObject(v) ? v[key] : undefined) : (v) => v;
    if (key) for (const o of order) if (!isObject(o) || !(key in o)) throw noMergeKey(o as JsonObject, key, where);
    if (patchList) checkOrder(patchList, order, id, where);

    let merged: unknown[];
    if (live === undefined && patchList === undefined) continue;
    if (patchList === undefined) merged = live as unknown[];
    else if (live === undefined) merged = fresh(patchList, shapeOf(meta), where, meta) as unknown[];
    else merged = mergeValue(live, patchList, meta, where) as unknown[];
    original[name] = normalizeOrder(merged, order, (live as unknown[]) ?? [], id);
    delete patch[name];
  }
}

/** The patch list must name its items in the order `$setElementOrder` gives them. */
function checkOrder(patchList: unknown[], order: unknown[], id: ItemId, where: string): void {
  const named = patchList.filter((v) => !isDirective(v));
  let o = 0;
  for (const item of named) {
    while (o < order.length && !sameId(id(order[o]), id(item))) o++;
    if (o === order.length) {
      throw badRequest(`The order in patch list ${JSON.stringify(patchList)} doesn't match $setElementOrder list ${JSON.stringify(order)} at ${where}`);
    }
    o++;
  }
}

function deleteFromPrimitiveList(original: JsonObject, key: string, values: unknown, path: string): void {
  if (!key || !Array.isArray(values)) throw badRequest(`invalid patch format of primitive list at ${path}`);
  const list = original[key];
  if (!Array.isArray(list)) return;
  original[key] = list.filter((v) => !values.some((d) => deepEqual(d, v)));
}
