#!/usr/bin/env node
// The operator CLI (cli/src). Runs the TypeScript sources through tsx, so a
// checkout needs no build step: `npm install`, then `./bin/kubeflare --help`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/src/main.ts");
process.exitCode = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  now: () => Date.now(),
});
