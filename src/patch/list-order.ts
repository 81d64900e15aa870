/**
 * Element order of merged lists, as apimachinery's strategic merge patch
 * settles it: items named by the patch (or its `$setElementOrder`) take the
 * patch's order, items only the server has keep their place relative to the
 * live list, and the two are interleaved by their live positions.
 * Server-side apply reuses it for list-maps and sets.
 */

/** What identifies an item: its merge key value(s), or the item itself for primitives. */
export type ItemId = (item: unknown) => unknown;

const indexIn = (list: unknown[], item: unknown, id: ItemId): number => {
  const want = id(item);
  return list.findIndex((x) => sameId(id(x), want));
};

/** Ids compare by JSON value, so compound keys ({port, protocol}) work too. */
export const sameId = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === "object" && a !== null && JSON.stringify(a) === JSON.stringify(b));

/** Stable sort of `items` by their position in `order`; items absent from it go last. */
export function sortByOrder(items: unknown[], order: unknown[], id: ItemId): unknown[] {
  const ranked = items.map((item, i) => ({ item, i, at: indexIn(order, item, id) }));
  ranked.sort((a, b) => {
    if (a.at >= 0 && b.at >= 0) return a.at - b.at;
    if (a.at >= 0) return -1;
    if (b.at >= 0) return 1;
    return a.i - b.i;
  });
  return ranked.map((r) => r.item);
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`), both
 * already sorted: a server-only item goes first only when the live list shows
 * it before the next patch item (apimachinery mergeSortedSlice).
 */
export function mergeSorted(left: unknown[], right: unknown[], liveOrder: unknown[], id: ItemId): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(liveOrder, left[i], id);
      const ri = indexIn(liveOrder, right[j], id);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Final order of a merged list: items named in `patchOrder` sorted by it,
 * the rest by `liveOrder`, interleaved.
 */
export function normalizeOrder(merged: unknown[], patchOrder: unknown[], liveOrder: unknown[], id: ItemId): unknown[] {
  const named: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (indexIn(patchOrder, item, id) >= 0 ? named : serverOnly).push(item);
  return mergeSorted(sortByOrder(serverOnly, liveOrder, id), sortByOrder(named, patchOrder, id), liveOrder, id);
}
