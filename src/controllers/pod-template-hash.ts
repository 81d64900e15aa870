/**
 * The `pod-template-hash` a Deployment gives each ReplicaSet (upstream
 * controller.ComputeHash: FNV-32a, then rand.SafeEncodeString of the decimal
 * sum). Upstream hashes the Go struct, where `creationTimestamp: null`,
 * `resources: {}` and absent fields are all the same zero value; hashing JSON
 * we get that by normalising first, so the template `kubectl rollout undo`
 * sends back maps to the ReplicaSet it came from.
 */
import type { PodTemplateSpec } from "../schema/core.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** k8s.io/apimachinery/pkg/util/rand: vowels omitted so no words form. */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Drops nulls, empty objects and empty arrays, bottom-up. Returns undefined for "nothing". */
function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => prune(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = prune((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/** The template as hashed and compared: without the hash label, nulls or empties; keys sorted. */
export function normalizePodTemplate(template: PodTemplateSpec | undefined): unknown {
  if (!template) return undefined;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return prune({ ...template, metadata: { ...(template.metadata ?? {}), labels } });
}

/** Canonical JSON of the normalised template (keys already sorted by prune). */
export const canonicalTemplate = (template: PodTemplateSpec | undefined): string =>
  JSON.stringify(normalizePodTemplate(template) ?? {});

/** deploymentutil.EqualIgnoreHash, with the same normalisation as the hash. */
export const equalIgnoreHash = (a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean =>
  canonicalTemplate(a) === canonicalTemplate(b);

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv32a(bytes: Uint8Array, hash = FNV_OFFSET): number {
  for (const b of bytes) hash = Math.imul(hash ^ b, FNV_PRIME) >>> 0;
  return hash >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet by its code. */
export const safeEncodeString = (s: string): string =>
  [...s].map((ch) => SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length]).join("");

/**
 * ComputeHash(template, collisionCount): a bumped `status.collisionCount` is
 * fed in as 8 little-endian bytes, giving a new name after a hash collision.
 */
export function computePodTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(canonicalTemplate(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}

