import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const moduleUrl = new URL("./young-generation.ts", import.meta.url).href;
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

// A burst of allocations that survive a scavenge or two (what makes V8 grow the
// young generation): the new space's size before it and the largest seen during it.
const burst = (setup: string) => `
${setup}
const v8 = await import("node:v8");
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
const before = newSpace();
let largest = before;
let kept = [];
for (let round = 0; round < 400; round++) {
  for (let i = 0; i < 2000; i++) kept.push({ round, i, text: "status " + i + " of " + round });
  if (kept.length > 40000) kept = kept.slice(20000);
  largest = Math.max(largest, newSpace());
}
console.log(JSON.stringify({ before, largest }));
`;

function newSpaceDuringBurst(setup: string): { before: number; largest: number } {
  return JSON.parse(execFileSync(tsx, ["--input-type=module", "-e", burst(setup)], { encoding: "utf8" }));
}

describe("keepYoungGenerationSmall", () => {
  it("holds the young generation at its starting size where V8 would grow it", () => {
    const grown = newSpaceDuringBurst("");
    const held = newSpaceDuringBurst(`(await import(${JSON.stringify(moduleUrl)})).keepYoungGenerationSmall();`);
    expect(grown.largest).toBeGreaterThanOrEqual(4 * grown.before);
    expect(held.largest).toBe(held.before);
  });
});
