/**
 * Names for objects a controller creates, shaped like the API server's
 * generateName output (`<prefix><5 chars>`, prefix cut to 58 characters) but
 * derived from a seed instead of drawn at random. A pure reconcile then
 * proposes the same name on every retry, so a create that already landed
 * fails with AlreadyExists instead of leaving a duplicate behind.
 */
import { fnv32a } from "./pod-template-hash.js";

/** names.SimpleNameGenerator's alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no look-alikes. */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
/** SimpleNameGenerator keeps generated names within 63 characters. */
const MaxGeneratedBase = 58;

/** Five characters in the generateName alphabet, fixed by `seed`. */
export function derivedSuffix(seed: string): string {
  let h = fnv32a(new TextEncoder().encode(seed));
  let out = "";
  for (let i = 0; i < 5; i++) {
    out += SAFE_ALPHABET[h % SAFE_ALPHABET.length];
    h = Math.floor(h / SAFE_ALPHABET.length);
  }
  return out;
}

/**
 * `<prefix><suffix>` not in `taken` (which it then joins). `suffix(attempt)`
 * supplies candidates; after 16 clashes the last one is returned and the
 * create meets AlreadyExists, to be retried on the next pass.
 */
export function derivedName(prefix: string, taken: Set<string | undefined>, suffix: (attempt: number) => string): string {
  const base = prefix.slice(0, MaxGeneratedBase);
  let name = "";
  for (let attempt = 0; attempt < 16; attempt++) {
    name = base + suffix(attempt);
    if (!taken.has(name)) break;
  }
  taken.add(name);
  return name;
}
