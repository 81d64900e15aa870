import { describe, expect, it } from "vitest";
import { KubeError } from "../errors.js";
import { MAX_NESTING_DEPTH, readDeleteOptions, readObject, readPatch } from "./body.js";

// Bytes, not a string: fetch would label a string body text/plain.
const request = (body: string, contentType?: string) =>
  new Request("https://x/api/v1/namespaces/d/configmaps", {
    method: "POST",
    body: new TextEncoder().encode(body),
    headers: contentType === undefined ? {} : { "content-type": contentType },
  });

async function failure(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KubeError) return e;
    throw e;
  }
  throw new Error("expected a KubeError");
}

const nested = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);

describe("readObject", () => {
  it("takes nesting up to the limit and refuses one level more with a 400", async () => {
    await expect(readObject(request(`{"x":${nested(MAX_NESTING_DEPTH - 1)}}`, "application/json"))).resolves.toHaveProperty("x");
    const e = await failure(readObject(request(`{"x":${nested(MAX_NESTING_DEPTH)}}`, "application/json")));
    expect(e.code).toBe(400);
    expect(e.message).toContain("nests deeper than");
  });

  it("reads YAML with many keys, and refuses a repeated key", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join("\n");
    expect(Object.keys(await readObject(request(many, "application/yaml")))).toHaveLength(20_000);
    const e = await failure(readObject(request("a: 1\nb: 2\na: 3\n", "application/yaml")));
    expect(e.code).toBe(400);
    expect(e.message).toContain("map keys must be unique");
  });

  it("refuses YAML whose aliases refer to themselves or expand exponentially", async () => {
    expect((await failure(readObject(request("metadata: &m {name: x, labels: *m}\n", "application/yaml")))).code).toBe(400);
    const bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${`*a${i}, `.repeat(8)}*a${i}]`), "data: *a8"];
    expect((await failure(readObject(request(bomb.join("\n"), "application/yaml")))).code).toBe(400);
  });

  it("refuses YAML values JSON cannot carry", async () => {
    expect((await failure(readObject(request("a: .inf\n", "application/yaml")))).message).toContain("not a JSON number");
    expect((await failure(readObject(request("a: !!binary aGVsbG8=\n", "application/yaml")))).code).toBe(400);
  });

  it("reads a body without Content-Type as JSON, and refuses a Content-Type that names no type", async () => {
    await expect(readObject(request('{"a":1}'))).resolves.toEqual({ a: 1 });
    expect((await failure(readObject(request('{"a":1}', ";;")))).code).toBe(415);
  });
});

describe("readPatch", () => {
  it("refuses a too-deep JSON patch value", async () => {
    const body = `[{"op":"add","path":"/x","value":${nested(MAX_NESTING_DEPTH + 5)}}]`;
    expect((await failure(readPatch(request(body, "application/json-patch+json"), "json"))).code).toBe(400);
  });
});

describe("readDeleteOptions", () => {
  const del = (body: unknown) => readDeleteOptions(request(JSON.stringify(body), "application/json"));

  it("accepts valid options", async () => {
    await expect(del({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, propagationPolicy: "Foreground", dryRun: ["All"] })).resolves.toHaveProperty(
      "propagationPolicy",
      "Foreground",
    );
  });

  it("refuses wrong types with a 400 and bad values with a 422", async () => {
    for (const body of [{ gracePeriodSeconds: "x" }, { gracePeriodSeconds: 1.5 }, { preconditions: "x" }, { orphanDependents: "yes" }, { dryRun: "All" }])
      expect((await failure(del(body))).code, JSON.stringify(body)).toBe(400);
    for (const body of [{ propagationPolicy: "Sideways" }, { dryRun: ["Foo"] }, { gracePeriodSeconds: 9e15 }, { orphanDependents: true, propagationPolicy: "Orphan" }])
      expect((await failure(del(body))).code, JSON.stringify(body)).toBe(422);
  });
});
