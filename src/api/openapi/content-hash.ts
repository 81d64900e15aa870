/**
 * A stable, synchronous content hash for the `?hash=` in the OpenAPI v3 index.
 * kubectl caches each group-version document under its serverRelativeURL, so
 * the hash only has to change when the document does; it need not be
 * cryptographic, and crypto.subtle would make the index asynchronous.
 */

const hex = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, "0");

/** 64 bits as 16 upper-case hex digits (two mixed 32-bit lanes, cyrb53-style). */
export function contentHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex(h2) + hex(h1);
}
