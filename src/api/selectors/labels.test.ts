import { describe, expect, it } from "vitest";
import { KubeError } from "../../errors.js";
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  labelSelectorToString,
  newRequirement,
} from "./labels.js";

const withLabels = (labels?: Record<string, string> | null) => ({ metadata: { name: "x", labels } });

describe("labelSelectorFromObject", () => {
  it("matches a Deployment's matchLabels against its pods", () => {
    const sel = labelSelectorFromObject({ matchLabels: { app: "web" } });
    expect(sel.matches(withLabels({ app: "web", "pod-template-hash": "5d9f" }))).toBe(true);
    expect(sel.matches(withLabels({ app: "api" }))).toBe(false);
    expect(sel.matches(withLabels(null))).toBe(false);
    expect(sel.requiresExactMatch("app")).toBe("web");
  });

  it("ANDs matchLabels with every matchExpressions operator", () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "track", operator: "NotIn", values: ["canary"] },
        { key: "team", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    });
    const good = { app: "web", tier: "b", team: "x" };
    expect(sel.matchesLabels(good)).toBe(true);
    expect(sel.matchesLabels({ ...good, tier: "c" })).toBe(false);
    expect(sel.matchesLabels({ ...good, track: "canary" })).toBe(false);
    expect(sel.matchesLabels({ ...good, track: "stable" })).toBe(true);
    expect(sel.matchesLabels({ app: "web", tier: "a" })).toBe(false);
    expect(sel.matchesLabels({ ...good, legacy: "" })).toBe(false);
  });

  it("selects everything for {} and nothing for null or undefined", () => {
    expect(labelSelectorFromObject({}).matches(withLabels())).toBe(true);
    expect(labelSelectorFromObject({}).empty()).toBe(true);
    expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches(withLabels({ a: "b" }))).toBe(true);
    expect(labelSelectorFromObject(null).matches(withLabels({ a: "b" }))).toBe(false);
    expect(labelSelectorFromObject(undefined).matchesLabels({})).toBe(false);
    expect(labelSelectorFromObject(null).empty()).toBe(false);
  });

  it("rejects an unknown operator and invalid keys with a 400", () => {
    expect(() =>
      labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Gt" as never, values: ["1"] }] }),
    ).toThrow(/"Gt" is not a valid label selector operator/);
    try {
      labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: [] }] });
      throw new Error("not rejected");
    } catch (e) {
      expect(e).toBeInstanceOf(KubeError);
      expect((e as KubeError).message).toBe(
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
      );
    }
    expect(() => labelSelectorFromObject({ matchLabels: { "bad key": "x" } })).toThrow(/key: Invalid value: "bad key"/);
  });
});

describe("labelSelectorToString", () => {
  it("prints the form Scale status.selector and kubectl show", () => {
    expect(labelSelectorToString({ matchLabels: { app: "web" } })).toBe("app=web");
    expect(
      labelSelectorToString({
        matchLabels: { tier: "x", app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["b", "a"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "zone", operator: "Exists" },
          { key: "env", operator: "NotIn", values: ["dev"] },
        ],
      }),
    ).toBe("app=web,!canary,env notin (dev),tier=x,tier in (a,b),zone");
  });

  it("is empty for empty and null selectors", () => {
    expect(labelSelectorToString({})).toBe("");
    expect(labelSelectorToString(null)).toBe("");
  });
});

describe("printer helpers", () => {
  it("formatLabels sorts and shows <none> when empty", () => {
    expect(formatLabels({ b: "2", a: "1" })).toBe("a=1,b=2");
    expect(formatLabels({})).toBe("<none>");
    expect(formatLabels(undefined)).toBe("<none>");
  });

  it("formatLabelSelector shows <none> and <error>", () => {
    expect(formatLabelSelector({ matchLabels: { app: "web" } })).toBe("app=web");
    expect(formatLabelSelector({})).toBe("<none>");
    expect(formatLabelSelector(undefined)).toBe("<none>");
    expect(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "Bogus" as never }] })).toBe("<error>");
  });
});

describe("newRequirement", () => {
  it("reports every problem at once, aggregated like upstream", () => {
    const r = newRequirement("app", "=", ["a", "b"]);
    expect(r).toEqual({
      message: "values: Invalid value: []string{\"a\", \"b\"}: exact-match compatibility requires one single value",
    });
    const several = newRequirement("-bad", "exists", ["x"]);
    expect("message" in several && several.message.startsWith("[key: Invalid value: \"-bad\"")).toBe(true);
  });
});
