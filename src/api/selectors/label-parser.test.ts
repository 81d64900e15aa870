import { describe, expect, it } from "vitest";
import { KubeError } from "../../errors.js";
import { parseLabelSelector } from "./label-parser.js";

const pod = (labels?: Record<string, string>) => ({ metadata: { name: "p", labels } });

function parseError(s: string): KubeError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    return e as KubeError;
  }
  throw new Error(`expected ${JSON.stringify(s)} to be rejected`);
}

describe("parseLabelSelector: syntax kubectl sends", () => {
  it("matches app=web as kubectl -l app=web sends it", () => {
    const sel = parseLabelSelector("app=web");
    expect(sel.matches(pod({ app: "web" }))).toBe(true);
    expect(sel.matches(pod({ app: "api" }))).toBe(false);
    expect(sel.matches(pod())).toBe(false);
    expect(sel.requiresExactMatch("app")).toBe("web");
  });

  it("matches the cluster-info selector with a prefixed key", () => {
    const sel = parseLabelSelector("kubernetes.io/cluster-service=true");
    expect(sel.matches(pod({ "kubernetes.io/cluster-service": "true" }))).toBe(true);
    expect(sel.matches(pod({ "kubernetes.io/cluster-service": "false" }))).toBe(false);
  });

  it("treats == as = and != as not-equal-or-absent", () => {
    expect(parseLabelSelector("tier==db").matches(pod({ tier: "db" }))).toBe(true);
    const ne = parseLabelSelector("tier!=db");
    expect(ne.matches(pod({ tier: "web" }))).toBe(true);
    expect(ne.matches(pod())).toBe(true);
    expect(ne.matches(pod({ tier: "db" }))).toBe(false);
    expect(ne.requiresExactMatch("tier")).toBeUndefined();
  });

  it("handles set-based in / notin", () => {
    const sel = parseLabelSelector("env in (prod, staging),tier notin (frontend)");
    expect(sel.matches(pod({ env: "prod", tier: "db" }))).toBe(true);
    expect(sel.matches(pod({ env: "staging" }))).toBe(true);
    expect(sel.matches(pod({ env: "dev", tier: "db" }))).toBe(false);
    expect(sel.matches(pod({ env: "prod", tier: "frontend" }))).toBe(false);
    expect(sel.toString()).toBe("env in (prod,staging),tier notin (frontend)");
  });

  it("handles existence and absence", () => {
    const sel = parseLabelSelector("app,!canary");
    expect(sel.matches(pod({ app: "x" }))).toBe(true);
    expect(sel.matches(pod({ app: "x", canary: "" }))).toBe(false);
    expect(sel.matches(pod({ canary: "1" }))).toBe(false);
    expect(sel.toString()).toBe("app,!canary");
  });

  it("compares integers with > and <", () => {
    const sel = parseLabelSelector("replicas>1,replicas<5");
    expect(sel.matches(pod({ replicas: "3" }))).toBe(true);
    expect(sel.matches(pod({ replicas: "5" }))).toBe(false);
    expect(sel.matches(pod({ replicas: "many" }))).toBe(false);
    expect(sel.toString()).toBe("replicas>1,replicas<5");
  });

  it("is whitespace tolerant and sorts requirements by key", () => {
    const sel = parseLabelSelector("  tier = web ,\tapp in ( a , b )  ");
    expect(sel.toString()).toBe("app in (a,b),tier=web");
    expect(sel.matches(pod({ app: "b", tier: "web" }))).toBe(true);
  });

  it("accepts empty values the way upstream does", () => {
    expect(parseLabelSelector("x=").matches(pod({ x: "" }))).toBe(true);
    expect(parseLabelSelector("x=,z= ").toString()).toBe("x=,z=");
    const set = parseLabelSelector("x in (a,,b)");
    expect(set.toString()).toBe("x in (,a,b)");
    expect(set.matches(pod({ x: "" }))).toBe(true);
    expect(parseLabelSelector("x in ()").matches(pod({ x: "" }))).toBe(true);
  });

  it("reads in/notin as plain words where a key or value is expected", () => {
    expect(parseLabelSelector("env in (in,notin)").matches(pod({ env: "notin" }))).toBe(true);
    expect(parseLabelSelector("in=notin").matches(pod({ in: "notin" }))).toBe(true);
  });

  it("selects everything for an empty string", () => {
    const sel = parseLabelSelector("");
    expect(sel.empty()).toBe(true);
    expect(sel.matches(pod())).toBe(true);
    expect(sel.toString()).toBe("");
  });
});

describe("parseLabelSelector: malformed input is a 400 with upstream's words", () => {
  it.each([
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["a,", "found '', expected: identifier after ','"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["x y", "unable to parse requirement: found 'y', expected: '=', '!=', '==', 'in', notin'"],
    ["x=(a)", "unable to parse requirement: found '(', expected: identifier"],
    ["x>1.5", "unable to parse requirement: values[0]: Invalid value: \"1.5\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ])("%s", (input, message) => {
    const err = parseError(input);
    expect(err).toBeInstanceOf(KubeError);
    expect(err.code).toBe(400);
    expect(err.reason).toBe("BadRequest");
    expect(err.message).toBe(message);
  });

  it("rejects a key that is not a qualified name", () => {
    const err = parseError("Bad_Key-=x");
    expect(err.message).toMatch(/^unable to parse requirement: <nil>: Invalid value: "Bad_Key-": name part must consist of alphanumeric characters/);
  });

  it("rejects an empty or upper-case key prefix", () => {
    expect(parseError("/name=x").message).toContain("prefix part must be non-empty");
    expect(parseError("Example.com/name=x").message).toContain("prefix part a lowercase RFC 1123 subdomain");
  });

  it("rejects a key longer than 63 characters", () => {
    expect(parseError(`${"a".repeat(64)}=x`).message).toContain("name part must be no more than 63 characters");
  });

  it("rejects an invalid value, naming the key", () => {
    const err = parseError("app=-web");
    expect(err.message).toMatch(/^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-web": a valid label must be an empty string/);
    // "|" is no operator, so "a||y" is one (invalid) value, as upstream reads it.
    expect(parseError("x=a||y=b").message).toContain('values[0][x]: Invalid value: "a||y"');
  });

  it("rejects symbols that are no operator", () => {
    expect(parseError("x=>a").message).toContain("found '>'");
    expect(parseError("x<>1").message).toContain("unable to parse requirement");
  });
});
