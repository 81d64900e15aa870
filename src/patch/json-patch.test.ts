import { describe, expect, it } from "vitest";
import { thrownKubeError as failure } from "../testing/thrown-kube-error.js";
import { applyJsonPatch, decodeJsonPatch, formatPointer, maxJsonPatchOperations, parsePointer } from "./json-patch.js";

const pod = () => ({
  metadata: { name: "p", labels: { app: "web", "app.kubernetes.io/name": "x", "a~b": "t" } },
  spec: { containers: [{ name: "a", image: "i1" }, { name: "b", image: "i2" }], nodeName: "n1" },
});

describe("JSON pointers", () => {
  it("unescapes ~1 and ~0, in that order", () => {
    expect(parsePointer("/metadata/labels/app.kubernetes.io~1name")).toEqual(["metadata", "labels", "app.kubernetes.io/name"]);
    expect(parsePointer("/a~01")).toEqual(["a~1"]);
    expect(parsePointer("")).toEqual([]);
    expect(parsePointer("/")).toEqual([""]);
  });

  it("round-trips through formatPointer", () => {
    const tokens = ["metadata", "annotations", "a/b~c"];
    expect(parsePointer(formatPointer(tokens))).toEqual(tokens);
  });

  it("rejects pointers without a leading slash or with bad escapes", () => {
    expect(failure(() => parsePointer("metadata")).code).toBe(400);
    expect(failure(() => parsePointer("/a~2")).code).toBe(400);
    expect(failure(() => parsePointer("/a~")).code).toBe(400);
  });
});

describe("applyJsonPatch", () => {
  it("adds, replaces and removes object members", () => {
    const out = applyJsonPatch(pod(), [
      { op: "add", path: "/metadata/labels/tier", value: "front" },
      { op: "replace", path: "/spec/nodeName", value: "n2" },
      { op: "remove", path: "/metadata/labels/app" },
    ]) as any;
    expect(out.metadata.labels).toEqual({ "app.kubernetes.io/name": "x", "a~b": "t", tier: "front" });
    expect(out.spec.nodeName).toBe("n2");
  });

  it("addresses escaped keys", () => {
    const out = applyJsonPatch(pod(), [
      { op: "replace", path: "/metadata/labels/app.kubernetes.io~1name", value: "y" },
      { op: "remove", path: "/metadata/labels/a~0b" },
    ]) as any;
    expect(out.metadata.labels).toEqual({ app: "web", "app.kubernetes.io/name": "y" });
  });

  it("inserts into arrays by index and appends with -", () => {
    const out = applyJsonPatch(pod(), [
      { op: "add", path: "/spec/containers/0", value: { name: "first" } },
      { op: "add", path: "/spec/containers/-", value: { name: "last" } },
      { op: "add", path: "/spec/containers/4", value: { name: "end" } },
    ]) as any;
    expect(out.spec.containers.map((c: any) => c.name)).toEqual(["first", "a", "b", "last", "end"]);
  });

  it("replaces and removes array elements", () => {
    const out = applyJsonPatch(pod(), [
      { op: "replace", path: "/spec/containers/1/image", value: "i3" },
      { op: "remove", path: "/spec/containers/0" },
    ]) as any;
    expect(out.spec.containers).toEqual([{ name: "b", image: "i3" }]);
  });

  it("moves and copies values", () => {
    const out = applyJsonPatch(pod(), [
      { op: "copy", from: "/metadata/labels", path: "/metadata/annotations" },
      { op: "move", from: "/spec/nodeName", path: "/metadata/annotations/node" },
      { op: "move", from: "/spec/containers/1", path: "/spec/containers/0" },
    ]) as any;
    expect(out.metadata.annotations.node).toBe("n1");
    expect(out.metadata.annotations.app).toBe("web");
    expect(out.spec.nodeName).toBeUndefined();
    expect(out.spec.containers.map((c: any) => c.name)).toEqual(["b", "a"]);
  });

  it("copies by value, so later operations do not alias", () => {
    const out = applyJsonPatch(pod(), [
      { op: "copy", from: "/spec/containers/0", path: "/spec/containers/-" },
      { op: "replace", path: "/spec/containers/2/image", value: "copy" },
    ]) as any;
    expect(out.spec.containers[0].image).toBe("i1");
    expect(out.spec.containers[2].image).toBe("copy");
  });

  it("moving a value onto itself is a no-op", () => {
    expect(applyJsonPatch(pod(), [{ op: "move", from: "/spec", path: "/spec" }])).toEqual(pod());
  });

  it("passes a test that matches regardless of key order and stops at one that does not", () => {
    const ok = applyJsonPatch(pod(), [
      { op: "test", path: "/spec/containers/0", value: { image: "i1", name: "a" } },
      { op: "replace", path: "/spec/containers/0/image", value: "i9" },
    ]) as any;
    expect(ok.spec.containers[0].image).toBe("i9");
    const e = failure(() => applyJsonPatch(pod(), [{ op: "test", path: "/spec/nodeName", value: "other" }]));
    expect(e.code).toBe(422);
    expect(e.reason).toBe("Invalid");
    expect(e.message).toContain("/spec/nodeName");
  });

  it("test distinguishes 1 from \"1\" and null from missing", () => {
    expect(failure(() => applyJsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: "1" }])).code).toBe(422);
    expect(failure(() => applyJsonPatch({}, [{ op: "test", path: "/a", value: null }])).code).toBe(422);
    expect(applyJsonPatch({ a: null }, [{ op: "test", path: "/a", value: null }])).toEqual({ a: null });
  });

  it("replaces the whole document at the root pointer", () => {
    expect(applyJsonPatch(pod(), [{ op: "replace", path: "", value: { x: 1 } }])).toEqual({ x: 1 });
    expect(applyJsonPatch(pod(), [{ op: "add", path: "", value: [1] }])).toEqual([1]);
  });

  it("never mutates its input", () => {
    const input = pod();
    const patch = [
      { op: "add", path: "/spec/containers/-", value: { name: "c" } },
      { op: "remove", path: "/metadata/labels" },
    ];
    const patchCopy = JSON.parse(JSON.stringify(patch));
    const out = applyJsonPatch(input, patch) as any;
    expect(input).toEqual(pod());
    expect(patch).toEqual(patchCopy);
    out.spec.containers[2].name = "mutated";
    expect(patch[0]).toEqual(patchCopy[0]);
  });

  it("is atomic: a failing operation leaves nothing half-applied for the caller", () => {
    const input = pod();
    failure(() =>
      applyJsonPatch(input, [
        { op: "replace", path: "/spec/nodeName", value: "n9" },
        { op: "remove", path: "/spec/missing" },
      ]),
    );
    expect(input.spec.nodeName).toBe("n1");
  });
});

describe("operations that cannot apply are 422 Invalid naming the path", () => {
  const cases: [string, unknown[]][] = [
    ["remove of a missing member", [{ op: "remove", path: "/spec/missing" }]],
    ["replace of a missing member", [{ op: "replace", path: "/metadata/annotations", value: {} }]],
    ["add under a missing parent", [{ op: "add", path: "/status/phase", value: "Running" }]],
    ["add past the end of an array", [{ op: "add", path: "/spec/containers/5", value: {} }]],
    ["remove with - index", [{ op: "remove", path: "/spec/containers/-" }]],
    ["an index with a leading zero", [{ op: "replace", path: "/spec/containers/01", value: {} }]],
    ["a non-numeric array index", [{ op: "remove", path: "/spec/containers/x" }]],
    ["move from a missing path", [{ op: "move", from: "/nope", path: "/spec/x" }]],
    ["copy from a missing path", [{ op: "copy", from: "/spec/containers/9", path: "/spec/x" }]],
    ["move into its own child", [{ op: "move", from: "/spec", path: "/spec/inner" }]],
    ["remove of the root", [{ op: "remove", path: "" }]],
    ["walking through a scalar", [{ op: "add", path: "/spec/nodeName/x", value: 1 }]],
  ];
  for (const [name, patch] of cases) {
    it(name, () => {
      const e = failure(() => applyJsonPatch(pod(), patch));
      expect(e.code).toBe(422);
      expect(e.reason).toBe("Invalid");
      const op = patch[0] as { path: string; from?: string };
      expect(e.message.includes(op.path) || (op.from !== undefined && e.message.includes(op.from))).toBe(true);
    });
  }
});

describe("malformed patch documents are 400 BadRequest", () => {
  const cases: [string, unknown][] = [
    ["an object instead of an array", { op: "add", path: "/a", value: 1 }],
    ["a non-object operation", ["add"]],
    ["an unknown op", [{ op: "merge", path: "/a", value: 1 }]],
    ["a missing op", [{ path: "/a", value: 1 }]],
    ["a missing path", [{ op: "remove" }]],
    ["a non-string path", [{ op: "remove", path: 3 }]],
    ["add without value", [{ op: "add", path: "/a" }]],
    ["replace without value", [{ op: "replace", path: "/a" }]],
    ["test without value", [{ op: "test", path: "/a" }]],
    ["move without from", [{ op: "move", path: "/a" }]],
    ["copy with a bad from pointer", [{ op: "copy", from: "a", path: "/a" }]],
    ["a path without leading slash", [{ op: "add", path: "a", value: 1 }]],
  ];
  for (const [name, patch] of cases) {
    it(name, () => {
      const e = failure(() => applyJsonPatch(pod(), patch));
      expect(e.code).toBe(400);
      expect(e.reason).toBe("BadRequest");
    });
  }

  it("a null value is a value", () => {
    expect(applyJsonPatch({}, [{ op: "add", path: "/a", value: null }])).toEqual({ a: null });
  });

  it("an empty patch returns an equal copy", () => {
    const input = pod();
    const out = applyJsonPatch(input, []);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it("refuses more operations than the API server allows", () => {
    const patch = Array.from({ length: maxJsonPatchOperations + 1 }, () => ({ op: "test", path: "", value: {} }));
    const e = failure(() => decodeJsonPatch(patch));
    expect(e.code).toBe(413);
    expect(e.reason).toBe("RequestEntityTooLarge");
  });
});
