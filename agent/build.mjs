// Bundles the agent into one ESM file, dist/agent.mjs, with docker-modem inside.
// docker-modem's SSH transport (ssh2, with an optional native addon) and its
// debug logging are replaced by stubs: the agent only speaks to the local
// socket, and leaving them out keeps the resident memory down. ws's optional
// native speed-ups (bufferutil, utf-8-validate) are stubbed as missing, so
// ws uses its pure JavaScript code: no native addons in the bundle.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

const stubs = {
  ssh2: "module.exports = { Client: function Client() { throw new Error('SSH transport is not bundled in kubeflare-agent'); } };",
  debug: "module.exports = function debug() { const log = function () {}; log.enabled = false; return log; };",
  // ws requires these inside try/catch and falls back when they are missing.
  bufferutil: "throw Object.assign(new Error('bufferutil is not bundled'), { code: 'MODULE_NOT_FOUND' });",
  "utf-8-validate": "throw Object.assign(new Error('utf-8-validate is not bundled'), { code: 'MODULE_NOT_FOUND' });",
};

const trimDependencies = {
  name: "trim-docker-modem-dependencies",
  setup(build) {
    build.onResolve({ filter: /^(ssh2|debug|bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: stubs[args.path], loader: "js" }));
    // readable-stream v3 mirrors Node's own stream module.
    build.onResolve({ filter: /^readable-stream$/ }, () => ({ path: "node:stream", external: true }));
  },
};

await build({
  entryPoints: [`${here}src/cli.ts`],
  outfile: `${here}dist/agent.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifySyntax: true,
  legalComments: "none",
  plugins: [trimDependencies],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
});
console.log("built agent/dist/agent.mjs");
