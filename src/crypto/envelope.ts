/**
 * Envelope encryption of records at rest (docs/security.md "Secrets at rest").
 *
 * A key-encryption key (KEK, the Worker secret SECRETS_KEK) wraps each
 * store's data-encryption keys (DEKs) with AES-KW (RFC 3394); a DEK encrypts
 * records with AES-256-GCM under a fresh random 12-byte IV per write, and
 * the record's storage key as additional data, so a ciphertext moved to
 * another row does not open.
 *
 * Why not Web Crypto: a store's write path is synchronous SQLite, and
 * crypto.subtle is asynchronous only. Awaiting it inside a write would let
 * other requests interleave between the precondition check and the commit.
 * @noble/ciphers (audited, pure JS) does the same AES synchronously, so a
 * write stays one uninterrupted step and 409 semantics are unchanged. Its
 * output is standard AES-GCM (Web Crypto opens it; see envelope.test.ts).
 */
import { aeskw, gcm } from "@noble/ciphers/aes.js";

/** Versioned record format: `k8s:enc:kf-aesgcm:v1:<dek id>:<base64(iv || ciphertext || tag)>`. */
export const RECORD_PREFIX = "k8s:enc:kf-aesgcm:v1:";
const IV_BYTES = 12;
const KEY_BYTES = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A KEK as configured: base64 of exactly 32 random bytes (`openssl rand -base64 32`). */
export function parseKek(value: string, name = "SECRETS_KEK"): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(value.trim());
  } catch {
    throw new Error(`${name} is not base64; generate one with: openssl rand -base64 32`);
  }
  if (bytes.length !== KEY_BYTES) throw new Error(`${name} must decode to ${KEY_BYTES} bytes, got ${bytes.length}; generate one with: openssl rand -base64 32`);
  return bytes;
}

export const newDataKey = (): Uint8Array => crypto.getRandomValues(new Uint8Array(KEY_BYTES));

/** A short random id naming a DEK inside its store's records. */
export const newKeyId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join("");

export const wrapKey = (kek: Uint8Array, dek: Uint8Array): string => toBase64(aeskw(kek).encrypt(dek));

/** The DEK, or undefined when `kek` is not the key that wrapped it (AES-KW checks its integrity). */
export function unwrapKey(kek: Uint8Array, wrapped: string): Uint8Array | undefined {
  try {
    return aeskw(kek).decrypt(fromBase64(wrapped));
  } catch {
    return undefined;
  }
}

export const isSealed = (stored: string): boolean => stored.startsWith(RECORD_PREFIX);

/** Which DEK sealed a record; undefined for a record stored in the clear. */
export function recordKeyId(stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  const end = stored.indexOf(":", RECORD_PREFIX.length);
  return end < 0 ? undefined : stored.slice(RECORD_PREFIX.length, end);
}

export function sealRecord(keyId: string, dek: Uint8Array, plaintext: string, aad: string): string {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = gcm(dek, iv, encoder.encode(aad)).encrypt(encoder.encode(plaintext));
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return `${RECORD_PREFIX}${keyId}:${toBase64(out)}`;
}

/** Opens a sealed record; throws when the key, the additional data or the bytes are not the ones sealed. */
export function openRecord(dek: Uint8Array, stored: string, aad: string): string {
  const keyId = recordKeyId(stored);
  if (keyId === undefined) throw new Error("not a sealed record");
  const bytes = fromBase64(stored.slice(RECORD_PREFIX.length + keyId.length + 1));
  const iv = bytes.subarray(0, IV_BYTES);
  return decoder.decode(gcm(dek, iv, encoder.encode(aad)).decrypt(bytes.subarray(IV_BYTES)));
}
