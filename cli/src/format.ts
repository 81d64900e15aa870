/** kubectl-style output: aligned columns, ages like 5m or 2d3h. */

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("   ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Upstream's HumanDuration, in short: 45s, 12m, 5h, 3d, with one sub-unit while small. */
export function age(fromIso: string | undefined | null, now: number): string {
  if (!fromIso) return "<none>";
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return "<invalid>";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ""}`;
  return `${d}d`;
}

export function expiresIn(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  return t <= now ? "expired" : age(new Date(now - (t - now)).toISOString(), now);
}
