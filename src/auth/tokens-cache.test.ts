import { describe, expect, it } from "vitest";
import { TokenCache, cacheTtlMs } from "./tokens-cache.js";

const alice = { id: "abc123", name: "alice", groups: ["dev", "system:authenticated"] };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TokenCache", () => {
  it("remembers an identity for the TTL, then asks again", () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set("h1", alice, 10_000, null);
    expect(cache.get("h1")).toEqual(alice);
    c.advance(9_999);
    expect(cache.get("h1")).toEqual(alice);
    c.advance(1);
    expect(cache.get("h1")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("never remembers past the token's own expiry", () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set("h1", alice, 10_000, c.now() + 3_000);
    c.advance(3_000);
    expect(cache.get("h1")).toBeUndefined();
  });

  it("remembers nothing with a TTL of 0", () => {
    const cache = new TokenCache();
    cache.set("h1", alice, 0, null);
    expect(cache.get("h1")).toBeUndefined();
  });

  it("forgets a revoked token by id, and a deleted node's credentials by user", () => {
    const cache = new TokenCache();
    cache.set("h1", alice, 10_000, null);
    cache.set("h2", { id: "node01", name: "system:node:n1", groups: ["system:nodes"] }, 10_000, null);
    cache.forgetId("abc123");
    expect(cache.get("h1")).toBeUndefined();
    expect(cache.get("h2")).toBeDefined();
    cache.forgetUser("system:node:n1");
    expect(cache.get("h2")).toBeUndefined();
  });

  it("hands out copies, so a caller cannot change what others are told", () => {
    const cache = new TokenCache();
    cache.set("h1", alice, 10_000, null);
    cache.get("h1")!.groups.push("system:masters");
    expect(cache.get("h1")!.groups).toEqual(alice.groups);
  });
});

describe("cacheTtlMs", () => {
  it("defaults to 10 s, honours lower settings and 0, and caps at 10 s", () => {
    expect(cacheTtlMs(undefined)).toBe(10_000);
    expect(cacheTtlMs("")).toBe(10_000);
    expect(cacheTtlMs("3")).toBe(3_000);
    expect(cacheTtlMs("0")).toBe(0);
    expect(cacheTtlMs("60")).toBe(10_000);
    expect(cacheTtlMs("nonsense")).toBe(10_000);
    expect(cacheTtlMs("-1")).toBe(10_000);
  });
});
