import { describe, expect, it } from "vitest";
import { applyMergePatch, createMergePatch } from "./merge-patch.js";

describe("applyMergePatch (RFC 7386)", () => {
  // The test vectors of RFC 7386 Appendix A.
  const rfc: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  rfc.forEach(([target, patch, result], i) => {
    it(`RFC 7386 example ${i + 1}`, () => {
      expect(applyMergePatch(target, patch)).toEqual(result);
    });
  });

  it("kubectl label: adds a label and keeps the rest", () => {
    const pod = { metadata: { name: "nginx", labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx" }] } };
    expect(applyMergePatch(pod, { metadata: { labels: { tier: "web" } } })).toEqual({
      metadata: { name: "nginx", labels: { app: "nginx", tier: "web" } },
      spec: { containers: [{ name: "nginx" }] },
    });
  });

  it("kubectl label app-: null removes one label", () => {
    const pod = { metadata: { labels: { app: "nginx", tier: "web" } } };
    expect(applyMergePatch(pod, { metadata: { labels: { app: null } } })).toEqual({ metadata: { labels: { tier: "web" } } });
  });

  it("kubectl scale: replaces spec.replicas of a Scale", () => {
    const scale = { kind: "Scale", spec: { replicas: 2 }, status: { replicas: 2 } };
    expect(applyMergePatch(scale, { spec: { replicas: 3 } })).toEqual({ kind: "Scale", spec: { replicas: 3 }, status: { replicas: 2 } });
  });

  it("replaces lists whole: no merge keys in merge patch", () => {
    const pod = { spec: { containers: [{ name: "a", image: "1" }, { name: "b" }] } };
    expect(applyMergePatch(pod, { spec: { containers: [{ name: "a", image: "2" }] } })).toEqual({
      spec: { containers: [{ name: "a", image: "2" }] },
    });
  });

  it("never mutates target or patch", () => {
    const target = { a: { b: 1 }, c: [1] };
    const patch = { a: { d: 2 }, c: null, e: { f: [1] } };
    const out = applyMergePatch(target, patch) as any;
    expect(target).toEqual({ a: { b: 1 }, c: [1] });
    expect(patch).toEqual({ a: { d: 2 }, c: null, e: { f: [1] } });
    out.e.f.push(2);
    expect(patch.e.f).toEqual([1]);
  });
});

describe("createMergePatch", () => {
  it("produces the minimal patch that applyMergePatch turns back into the target", () => {
    const original = { a: 1, b: { c: 2, d: 3 }, e: [1], g: "x" };
    const modified = { a: 1, b: { c: 5 }, e: [1, 2], f: { h: true } };
    const patch = createMergePatch(original, modified);
    expect(patch).toEqual({ g: null, b: { c: 5, d: null }, e: [1, 2], f: { h: true } });
    expect(applyMergePatch(original, patch)).toEqual(modified);
  });

  it("is empty when nothing changed, whatever the key order", () => {
    expect(createMergePatch({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual({});
  });
});
