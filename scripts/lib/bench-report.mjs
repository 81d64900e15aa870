// Printing benchmark results: fixed-precision numbers and Markdown tables, so
// a run's output can be pasted into BENCHMARKS.md as it is.

export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
export const pct = (x) => `${fmt(x * 100, 0)}%`;

/** A Markdown table: first column left-aligned, the figures right-aligned. */
export function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(" | ")} |`;
  console.log();
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

/**
 * Cores used per phase (from bench-cpu's cpuBetween), and a warning when other
 * processes took enough CPU to make the run's figures pessimistic.
 */
export function printCpuTable(phases) {
  if (!phases.length) return;
  const rows = [["CPU (cores)", "bench client", "wrangler (node)", "dev proxy (workerd)", "Worker + DOs (workerd)", "other processes", "idle"]];
  for (const c of phases)
    rows.push([c.name, fmt(c.client, 2), fmt(c.wrangler, 2), fmt(c.proxy, 2), fmt(c.worker, 2), fmt(c.other, 2), `${fmt(c.idle, 2)} of ${c.total}`]);
  printTable(rows);
  const busiest = phases.reduce((a, b) => (b.other > a.other ? b : a));
  if (busiest.other > 0.25)
    console.log(`warning: other processes used ${fmt(busiest.other, 2)} cores during "${busiest.name}"; this run's figures are pessimistic`);
}
