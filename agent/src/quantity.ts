/**
 * resource.Quantity parsing, for turning container limits into Docker's
 * units and for reporting node capacity the way the kubelet writes it.
 */

const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The value of a quantity in base units ("100m" → 0.1, "1Gi" → 1073741824); throws on garbage. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === "number") return quantity;
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${quantity}"`);
  const [, number, exponent, suffix = ""] = match;
  if (exponent) return Number(number + exponent);
  const multiplier = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix];
  return Number(number) * multiplier;
}

/** CPU in millicores, rounded up as the kubelet does ("0.5" → 500, "1m" → 1). */
export function cpuMillis(quantity: string | number): number {
  return Math.ceil(Math.round(parseQuantity(quantity) * 1e9) / 1e6);
}

/** Memory in bytes, rounded up. */
export function memoryBytes(quantity: string | number): number {
  return Math.ceil(parseQuantity(quantity));
}

/** Bytes as the kubelet reports node memory: a whole number of Ki. */
export function formatKibibytes(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}
