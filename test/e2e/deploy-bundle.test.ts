/**
 * The production bundle builds: `wrangler deploy --dry-run` is what
 * `wrangler deploy` does before uploading. It fails on unresolvable imports,
 * Node built-ins the Workers runtime lacks, and binding/migration mistakes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const root = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "kubeflare-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("wrangler deploy --dry-run", () => {
  it("bundles the Worker with its Durable Object bindings, within the plan's script size limit", () => {
    const wrangler = join(root, "node_modules", ".bin", "wrangler");
    const r = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", out], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/env\.STORE \(ResourceStore\)\s+Durable Object/);
    expect(r.stdout).toMatch(/env\.NODE_CHANNEL \(NodeChannel\)\s+Durable Object/);
    const bundle = readFileSync(join(out, "index.js"));
    // Workers Paid allows 10 MiB compressed, Free 3 MiB: stay deployable on both.
    expect(gzipSync(bundle).length).toBeLessThan(3 * 1024 * 1024);
    // Every Durable Object class the config binds is exported by the bundle.
    for (const cls of ["ResourceStore", "NodeChannel"]) expect(bundle.toString("utf8")).toMatch(new RegExp(`export\\s*\\{[^}]*\\b${cls}\\b`));
  });
});
