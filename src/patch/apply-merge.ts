/**
 * Merging an applied configuration into the live object, the first step of
 * server-side apply: structs and maps merge field by field, list-maps merge
 * item by item on their keys, sets take the union, everything else (scalars,
 * atomic lists and structs) takes the applied value. `null` clears a field.
 */
import { clone, dropNulls, isObject, type JsonObject } from "./json-value.js";
import { keyElement } from "./field-set.js";
import type { ItemId } from "./list-order.js";
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
  if (isListMap(applied, meta) && isListMap(live, meta)) {
    const id: ItemId = (item) => {
      const k = itemKey(item, meta);
      return k ? keyElement(k) : undefined;
    };
    const itemShape: Shape = { type: meta.type };
    return mergeInOrder(live, applied, id, (l, a) => mergeApplied(isObject(l) ? l : {}, a as JsonObject, itemShape));
  }
  if (meta.listType === "set" && applied.every((x) => !isObject(x))) {
    return mergeInOrder(live, applied, (v) => JSON.stringify(v), (_, a) => a);
  }
  return dropNulls(applied) as unknown[];
}

/**
 * Item order of a merged list-map or set, as structured-merge-diff's merging
 * walker settles it: live items stay where they are, applied items shared
 * with the live list follow the applied order, new applied items come after
 * the live item they follow.
 */
function mergeInOrder(
  live: unknown[],
  applied: unknown[],
  id: ItemId,
  merge: (live: unknown, applied: unknown) => unknown,
): unknown[] {
  const liveIds = live.map(id);
  const appliedIds = applied.map(id);
  const liveById = new Map(liveIds.map((k, i) => [k, live[i]]));
  const inApplied = new Set(appliedIds);
  const shared = appliedIds.filter((k) => liveById.has(k));
  let nextShared = shared.shift();
  const done = new Set<unknown>();
  const out: unknown[] = [];
  let l = 0;
  let a = 0;
  while (l < live.length || a < applied.length) {
    if (l < live.length && a < applied.length) {
      const k = liveIds[l];
      if (k === appliedIds[a]) {
        out.push(merge(live[l], applied[a]));
        done.add(k);
        l++;
        a++;
        nextShared = shared.shift();
        continue;
      }
      if (inApplied.has(k) && nextShared !== undefined && nextShared !== k) {
        l++; // a shared item out of turn: it is emitted when the applied list reaches it
        continue;
      }
    }
    if (l < live.length) {
      const k = liveIds[l];
      if (!inApplied.has(k)) {
        out.push(live[l++]);
        continue;
      }
      if (done.has(k)) {
        l++;
        continue;
      }
    }
    if (a < applied.length) {
      const k = appliedIds[a];
      done.add(k);
      out.push(merge(liveById.get(k), applied[a]));
      a++;
      if (nextShared === k) nextShared = shared.shift();
    }
  }
  return out;
}
