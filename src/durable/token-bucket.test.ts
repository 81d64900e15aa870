import { describe, expect, it } from "vitest";
import { take } from "./token-bucket.js";

describe("token bucket", () => {
  it("grants a burst, then refuses with the seconds until the next token", () => {
    let bucket;
    const granted: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = take(bucket, 1, 0.5, 3, 1_000);
      bucket = r.bucket;
      granted.push(r.grant.granted);
      if (i === 3) expect(r.grant.retryAfterSeconds).toBe(2);
    }
    expect(granted).toEqual([1, 1, 1, 0]);
  });

  it("refills at qps and never above burst", () => {
    let r = take(undefined, 5, 10, 5, 0);
    expect(r.grant.granted).toBe(5);
    r = take(r.bucket, 5, 10, 5, 300);
    expect(r.grant.granted).toBe(3);
    r = take(r.bucket, 100, 10, 5, 60_000);
    expect(r.grant.granted).toBe(5);
  });

  it("grants part of a lease when fewer tokens are left", () => {
    const r = take({ tokens: 2.5, at: 0 }, 10, 1, 10, 0);
    expect(r.grant).toEqual({ granted: 2 });
    expect(r.bucket.tokens).toBeCloseTo(0.5);
  });
});
