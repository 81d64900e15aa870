import { describe, expect, it } from "vitest";
import { fromBase64, isSealed, newDataKey, openRecord, parseKek, recordKeyId, sealRecord, toBase64, unwrapKey, wrapKey, RECORD_PREFIX } from "./envelope.js";

const secret = JSON.stringify({ kind: "Secret", data: { password: btoa("hunter2") } });

describe("envelope", () => {
  it("round-trips a record and names its key", () => {
    const dek = newDataKey();
    const sealed = sealRecord("k1", dek, secret, "objects/secrets/db");
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.startsWith(`${RECORD_PREFIX}k1:`)).toBe(true);
    expect(recordKeyId(sealed)).toBe("k1");
    expect(sealed).not.toContain("hunter2");
    expect(sealed).not.toContain(btoa("hunter2"));
    expect(openRecord(dek, sealed, "objects/secrets/db")).toBe(secret);
  });

  it("refuses another key, another row's additional data, or altered bytes", () => {
    const dek = newDataKey();
    const sealed = sealRecord("k1", dek, secret, "objects/secrets/db");
    expect(() => openRecord(newDataKey(), sealed, "objects/secrets/db")).toThrow();
    expect(() => openRecord(dek, sealed, "objects/secrets/other")).toThrow();
    const bytes = fromBase64(sealed.slice(`${RECORD_PREFIX}k1:`.length));
    bytes[20] ^= 1;
    expect(() => openRecord(dek, `${RECORD_PREFIX}k1:${toBase64(bytes)}`, "objects/secrets/db")).toThrow();
  });

  it("uses a fresh IV for every write", () => {
    const dek = newDataKey();
    const ivs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const sealed = sealRecord("k1", dek, secret, "a");
      ivs.add(toBase64(fromBase64(sealed.slice(`${RECORD_PREFIX}k1:`.length)).subarray(0, 12)));
    }
    expect(ivs.size).toBe(200);
  });

  it("writes standard AES-GCM that Web Crypto opens", async () => {
    const dek = newDataKey();
    const sealed = sealRecord("k1", dek, secret, "aad");
    const bytes = fromBase64(sealed.slice(`${RECORD_PREFIX}k1:`.length));
    const key = await crypto.subtle.importKey("raw", dek, "AES-GCM", false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: new TextEncoder().encode("aad") },
      key,
      bytes.subarray(12),
    );
    expect(new TextDecoder().decode(plain)).toBe(secret);
  });

  it("wraps data keys with AES-KW and detects the wrong KEK", () => {
    const kek = newDataKey();
    const dek = newDataKey();
    const wrapped = wrapKey(kek, dek);
    expect(unwrapKey(kek, wrapped)).toEqual(dek);
    expect(unwrapKey(newDataKey(), wrapped)).toBeUndefined();
  });

  it("accepts only a base64 KEK of 32 bytes", () => {
    expect(parseKek(toBase64(new Uint8Array(32).fill(7)))).toHaveLength(32);
    expect(() => parseKek(toBase64(new Uint8Array(16)))).toThrow(/32 bytes/);
    expect(() => parseKek("not base64!")).toThrow(/base64/);
  });
});
