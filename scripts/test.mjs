// `npm test`: every layer (unit, Durable Objects, end-to-end) in one vitest
// run, then one plain summary line that CI can read.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./lib/local-cluster.mjs";

const out = join(projectRoot, ".tmp", "vitest-results.json");
mkdirSync(join(projectRoot, ".tmp"), { recursive: true });
const build = spawnSync(process.execPath, [join(projectRoot, "agent/build.mjs")], { stdio: "inherit", cwd: projectRoot });
if (build.status !== 0) process.exit(build.status ?? 1);
const args = ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...process.argv.slice(2)];
const r = spawnSync("npx", args, { stdio: "inherit", cwd: projectRoot });
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, "utf8"));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  console.log(`\ntests: ${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
}
process.exit(r.status ?? 1);
