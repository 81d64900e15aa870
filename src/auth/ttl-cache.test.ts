import { describe, expect, it } from "vitest";
import { TtlCache } from "./ttl-cache.js";

describe("TtlCache", () => {
  it("loads once per key until the entry expires, and shares a load in flight", async () => {
    let t = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1000, 10, () => t);
    const load = async () => ++loads;
    expect(await Promise.all([cache.get("a", load), cache.get("a", load)])).toEqual([1, 1]);
    t = 999;
    expect(await cache.get("a", load)).toBe(1);
    t = 1000;
    expect(await cache.get("a", load)).toBe(2);
    cache.delete("a");
    expect(await cache.get("a", load)).toBe(3);
  });

  it("forgets a failed load and stays bounded", async () => {
    const cache = new TtlCache<string>(1000, 2, () => 0);
    await expect(cache.get("x", async () => Promise.reject(new Error("store down")))).rejects.toThrow("store down");
    expect(await cache.get("x", async () => "ok")).toBe("ok");
    await cache.get("y", async () => "y");
    await cache.get("z", async () => "z");
    // "x" was the oldest and made room for "z".
    expect(await cache.get("x", async () => "reloaded")).toBe("reloaded");
  });
});
