/**
 * Merging an applied configuration into the live object, the first step of
 * server-side apply: structs and maps merge field by field, list-maps merge
 * item by item on their keys, sets take the union, everything else (scalars,
 * atomic lists and structs) takes the applied value. `null` clears a field.
 */
import { clone, dropNulls, isObject, type JsonObject } from "./json-value.js";
import { keyElement } from "./field-set.js";
import { normalizeOrder, type ItemId } from "./list-order.js";
import { memberMeta, shapeOf, type FieldMeta, type Shape } from "./patch-meta.js";
import { isListMap, itemKey } from "./object-fields.js";

export function mergeApplied(live: JsonObject, applied: JsonObject, shape: Shape): JsonObject {
  const out = clone(live);
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    out[k] = mergeValue(out[k], v, memberMeta(shape, k));
  }
  return out;
}

function mergeValue(live: unknown, applied: unknown, meta: FieldMeta): unknown {
  if (meta.atomic) return dropNulls(applied);
  if (isObject(applied)) return mergeApplied(isObject(live) ? live : {}, applied, shapeOf(meta));
  if (Array.isArray(applied)) return mergeList(Array.isArray(live) ? live : [], applied, meta);
  return applied;
}

function mergeList(live: unknown[], applied: unknown[], meta: FieldMeta): unknown[] {
  if (applied.length > 0 && isListMap(applied, meta) && isListMap(live, meta)) {
    const id: ItemId = (item) => {
      const k = itemKey(item, meta);
      return k ? keyElement(k) : undefined;
    };
    const out = live.slice();
    for (const item of applied) {
      const i = out.findIndex((x) => id(x) === id(item));
      const itemShape: Shape = { type: meta.type };
      if (i < 0) out.push(mergeApplied({}, item as JsonObject, itemShape));
      else out[i] = mergeApplied(out[i] as JsonObject, item as JsonObject, itemShape);
    }
    return normalizeOrder(out, applied, live, id);
  }
  if (meta.listType === "set" && applied.every((x) => !isObject(x))) {
    const id: ItemId = (v) => v;
    const union = [...live, ...applied.filter((x) => !live.includes(x))];
    return normalizeOrder(union, applied, live, id);
  }
  return dropNulls(applied) as unknown[];
}
