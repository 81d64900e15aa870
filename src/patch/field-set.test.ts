import { describe, expect, it } from "vitest";
import { FieldSet, keyElement, pathString, valueElement } from "./field-set.js";

const web = keyElement({ name: "web" });

describe("FieldSet", () => {
  it("encodes to FieldsV1 with '.' on members that also have children", () => {
    const s = FieldSet.of([
      ["f:metadata", "f:labels", "f:app"],
      ["f:spec", "f:containers", web],
      ["f:spec", "f:containers", web, "f:image"],
    ]);
    expect(s.toFieldsV1()).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } } },
    });
  });

  it("decodes FieldsV1 back to the same members", () => {
    const v1 = {
      "f:metadata": { "f:finalizers": { 'v:"a"': {} }, "f:labels": { ".": {}, "f:run": {} } },
      "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } }, "f:replicas": {} },
    };
    const s = FieldSet.fromFieldsV1(v1);
    expect(s.has(["f:metadata", "f:labels"])).toBe(true);
    expect(s.has(["f:metadata"])).toBe(false);
    expect(s.has(["f:spec", "f:containers", web, "f:image"])).toBe(true);
    expect(s.has(["f:metadata", "f:finalizers", valueElement("a")])).toBe(true);
    expect(s.size).toBe(7);
    expect(s.toFieldsV1()).toEqual(v1);
  });

  it("serializes fields before keys and values, each sorted", () => {
    const s = FieldSet.of([["f:b"], ["f:a"], ['k:{"name":"z"}'], ['k:{"name":"a"}'], ['v:"x"'], ["i:10"], ["i:2"]]);
    expect(Object.keys(s.toFieldsV1())).toEqual(["f:a", "f:b", 'k:{"name":"a"}', 'k:{"name":"z"}', 'v:"x"', "i:2", "i:10"]);
  });

  it("does set algebra on whole paths", () => {
    const a = FieldSet.of([["f:a"], ["f:b"], ["f:c", "f:d"]]);
    const b = FieldSet.of([["f:b"], ["f:c"]]);
    expect(a.union(b).size).toBe(4);
    expect(a.intersection(b).paths()).toEqual([["f:b"]]);
    expect(a.difference(b).paths()).toEqual([["f:a"], ["f:c", "f:d"]]);
    expect(a.covers(["f:c"])).toBe(true);
    expect(b.covers(["f:c", "f:d"])).toBe(false);
    expect(a.equals(FieldSet.of([["f:c", "f:d"], ["f:b"], ["f:a"]]))).toBe(true);
    expect(new FieldSet().empty).toBe(true);
  });

  it("rejects a FieldsV1 value that is not an object tree", () => {
    expect(() => FieldSet.fromFieldsV1({ "f:a": 1 })).toThrow(/fieldsV1/);
  });
});

describe("paths", () => {
  it("print as Kubernetes prints them in conflicts", () => {
    expect(pathString(["f:spec", "f:replicas"])).toBe(".spec.replicas");
    expect(pathString(["f:spec", "f:containers", web, "f:image"])).toBe('.spec.containers[name="web"].image');
    expect(pathString(["f:ports", keyElement({ protocol: "TCP", containerPort: 80 })])).toBe('.ports[containerPort=80,protocol="TCP"]');
    expect(pathString(["f:metadata", "f:finalizers", valueElement("a")])).toBe('.metadata.finalizers[="a"]');
    expect(pathString(["f:items", "i:3"])).toBe(".items[3]");
  });

  it("list keys are spelled with their fields in name order", () => {
    expect(keyElement({ protocol: "TCP", containerPort: 80 })).toBe('k:{"containerPort":80,"protocol":"TCP"}');
  });
});
