/**
 * resource.Quantity as the scheduler and controllers read it: "100m", "0.5",
 * "128Mi", "1G", "2", "1e3" or a bare JSON number. Values are kept as exact
 * rationals (BigInt) until the final rounding, because float arithmetic turns
 * "0.1" cpu into 101m once rounded up the way upstream's MilliValue() rounds.
 */

const QUANTITY_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

const binarySuffixes: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact value num/den with den > 0. */
interface Rational {
  num: bigint;
  den: bigint;
}

const pow10 = (e: number): bigint => 10n ** BigInt(e);

function parseRational(input: string | number): Rational | undefined {
  const text = typeof input === "number" ? numberToText(input) : input.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z]*[-+]?\d*)$/.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = "", suffix] = m;
  if (whole === "" && fraction === "") return undefined;
  let num = BigInt((whole || "0") + fraction);
  let den = pow10(fraction.length);
  if (suffix in binarySuffixes) {
    num *= binarySuffixes[suffix];
  } else if (suffix in decimalSuffixes) {
    const e = decimalSuffixes[suffix];
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  } else {
    const exp = /^[eE]([-+]?\d+)$/.exec(suffix);
    if (!exp) return undefined;
    const e = Number(exp[1]);
    // Upstream caps quantities at 2^63-1 anyway; refuse exponents that only burn CPU.
    if (Math.abs(e) > 100) return undefined;
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  }
  return { num: sign === "-" ? -num : num, den };
}

/** JSON numbers (YAML `cpu: 2`, `cpu: 0.5`) as the shortest decimal text, never float-multiplied. */
function numberToText(n: number): string {
  if (!Number.isFinite(n)) return "invalid";
  return String(n).replace(/e\+?/, "e");
}

/** Rounds away from zero, as Quantity.Value() and MilliValue() do. */
function roundUp(r: Rational, scale: bigint): number {
  const negative = r.num < 0n;
  const abs = (negative ? -r.num : r.num) * scale;
  const q = (abs + r.den - 1n) / r.den;
  const n = Number(q);
  return negative ? -n : n;
}

// Pods repeat the same few request strings ("100m", "128Mi"); the scheduler
// reads them for every pod it places, so parsed values are memoised.
const CACHE_LIMIT = 4096;
const milliCache = new Map<string | number, number>();
const valueCache = new Map<string | number, number>();

function cached(cache: Map<string | number, number>, key: string | number, compute: () => number): number {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = compute();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, v);
  return v;
}

/** True when `q` parses as a resource.Quantity. */
export function isValidQuantity(q: string | number): boolean {
  return parseRational(q) !== undefined;
}

/** The error message upstream gives for a malformed quantity. */
export function quantityFormatError(): string {
  return `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
}

/**
 * Quantity.MilliValue(): thousandths, rounded up ("100m" → 100, "0.5" → 500,
 * "2" → 2000). Throws on a malformed quantity.
 */
export function quantityMilliValue(q: string | number): number {
  return cached(milliCache, q, () => {
    const r = parseRational(q);
    if (!r) throw new RangeError(quantityFormatError());
    return roundUp(r, 1000n);
  });
}

/**
 * Quantity.Value(): whole units, rounded up ("128Mi" → 134217728, "1G" →
 * 1000000000, "100m" → 1). Throws on a malformed quantity.
 */
export function quantityValue(q: string | number): number {
  return cached(valueCache, q, () => {
    const r = parseRational(q);
    if (!r) throw new RangeError(quantityFormatError());
    return roundUp(r, 1n);
  });
}

/** CPU in millicores; absent or malformed quantities count as 0 (validation rejects them at the API). */
export function cpuMilli(q: string | number | null | undefined): number {
  if (q === undefined || q === null) return 0;
  try {
    return quantityMilliValue(q);
  } catch {
    return 0;
  }
}

/** Memory (or any count-like resource) in whole units; absent or malformed quantities count as 0. */
export function bytesValue(q: string | number | null | undefined): number {
  if (q === undefined || q === null) return 0;
  try {
    return quantityValue(q);
  } catch {
    return 0;
  }
}
