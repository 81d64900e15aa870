import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DesiredStateCache } from "./desired-state.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("DesiredStateCache", () => {
  it("round-trips the whole desired state, readable only by its owner (it holds Secrets)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubeflare-cache-"));
    dirs.push(dir);
    const cache = new DesiredStateCache(dir);
    expect(await cache.load()).toBeUndefined();
    const state = {
      version: "v7",
      pods: [{ metadata: { name: "p", uid: "u" }, spec: { containers: [] } }],
      configMaps: [],
      secrets: [{ metadata: { name: "s" }, data: { k: "dg==" } }],
    };
    await cache.save(state);
    expect(await cache.load()).toEqual(state);
    expect((await stat(cache.path)).mode & 0o777).toBe(0o600);
  });

  it("treats a damaged cache as no cache", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubeflare-cache-"));
    dirs.push(dir);
    await writeFile(join(dir, "desired.json"), "{not json");
    expect(await new DesiredStateCache(dir).load()).toBeUndefined();
  });
});
