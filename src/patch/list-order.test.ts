import { describe, expect, it } from "vitest";
import { mergeSorted, normalizeOrder, sortByOrder } from "./list-order.js";

const id = (v: unknown) => v;

describe("list order", () => {
  it("sorts by a given order, keeping unknown items last and stable", () => {
    expect(sortByOrder(["x", "b", "y", "a"], ["a", "b"], id)).toEqual(["a", "b", "x", "y"]);
  });

  it("interleaves server-only items by their live position", () => {
    expect(mergeSorted(["s"], ["a", "b"], ["a", "s", "b"], id)).toEqual(["a", "s", "b"]);
    expect(mergeSorted(["s"], ["a", "b"], ["s", "a", "b"], id)).toEqual(["s", "a", "b"]);
  });

  it("puts patch items absent from the live list before server-only items, as apimachinery does", () => {
    expect(normalizeOrder(["a", "b", "c"], ["c"], ["a", "b"], id)).toEqual(["c", "a", "b"]);
  });

  it("lets the patch order win for items it names", () => {
    expect(normalizeOrder(["a", "b", "c"], ["c", "a"], ["a", "b", "c"], id)).toEqual(["b", "c", "a"]);
  });

  it("compares compound ids by value", () => {
    const key = (v: unknown) => ({ port: (v as { port: number }).port });
    expect(normalizeOrder([{ port: 1 }, { port: 2 }], [{ port: 2 }, { port: 1 }], [{ port: 1 }, { port: 2 }], key)).toEqual([
      { port: 2 },
      { port: 1 },
    ]);
  });
});
