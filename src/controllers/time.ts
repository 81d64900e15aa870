/**
 * metav1.Time on the wire: RFC 3339 in UTC with whole seconds, which is what
 * every timestamp a controller writes must look like (kubectl parses them).
 */

/** Milliseconds since the epoch → `2026-01-02T03:04:05Z`. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A stored timestamp → milliseconds, or undefined when absent or unparseable. */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
