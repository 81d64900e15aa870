import { describe, expect, it } from "vitest";
import {
  bootstrapUser,
  constantTimeEqual,
  generateToken,
  hashToken,
  isExpired,
  nodeUser,
  parseToken,
  randomChars,
  withAuthenticated,
} from "./tokens.js";

describe("token format", () => {
  it("generates <6>.<16> tokens of [a-z0-9] whose id is their prefix", () => {
    for (let i = 0; i < 50; i++) {
      const { id, token } = generateToken();
      expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      expect(token.startsWith(`${id}.`)).toBe(true);
      expect(parseToken(token)).toEqual({ id, secret: token.slice(7) });
    }
  });

  it("draws different tokens each time", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken().token));
    expect(tokens.size).toBe(200);
  });

  it("skips random bytes that would bias the alphabet", () => {
    // 252..255 are past the last multiple of 36 and must be drawn again; 0 → "a", 35 → "9", 36 → "a".
    const bytes = [255, 252, 0, 35, 36, 71];
    let n = 0;
    const fake = (b: Uint8Array) => b.forEach((_, i) => (b[i] = bytes[n++ % bytes.length]));
    expect(randomChars(4, fake)).toBe("a9a9");
  });

  it("rejects anything that is not exactly id.secret", () => {
    for (const bad of ["", "abcdef", "abcdef.", "ABCDEF.0123456789abcdef", "abcde.0123456789abcdefg", "abcdef.0123456789abcde", "abcdef.0123456789abcdef0", "abcdef-0123456789abcdef", " abcdef.0123456789abcdef"])
      expect(parseToken(bad)).toBeUndefined();
    expect(parseToken("abc123.0123456789abcdef")).toEqual({ id: "abc123", secret: "0123456789abcdef" });
  });
});

describe("hashing and comparison", () => {
  it("hashes with SHA-256 as lowercase hex, and never contains the token", async () => {
    // SHA-256("abc") is a published test vector.
    expect(await hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const { token } = generateToken();
    const hash = await hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token.slice(7));
  });

  it("compares equal strings as equal and anything else as different", () => {
    expect(constantTimeEqual("abcd", "abcd")).toBe(true);
    expect(constantTimeEqual("abcd", "abce")).toBe(false);
    expect(constantTimeEqual("abcd", "abc")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});

describe("expiry", () => {
  it("expires at the instant, never without an expiry", () => {
    expect(isExpired(1000, 999)).toBe(false);
    expect(isExpired(1000, 1000)).toBe(true);
    expect(isExpired(1000, 2000)).toBe(true);
    expect(isExpired(null, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(isExpired(undefined, 0)).toBe(false);
  });
});

describe("identities", () => {
  it("names nodes and bootstrappers as upstream does", () => {
    expect(nodeUser("n1")).toEqual({ name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] });
    expect(bootstrapUser("abc123")).toEqual({ name: "system:bootstrap:abc123", groups: ["system:bootstrappers", "system:authenticated"] });
  });

  it("adds system:authenticated once", () => {
    expect(withAuthenticated(["a"])).toEqual(["a", "system:authenticated"]);
    expect(withAuthenticated(["system:authenticated", "a"])).toEqual(["system:authenticated", "a"]);
  });
});
