import { describe, expect, it } from "vitest";
import { KubeError } from "../errors.js";
import { kubeErrorCode } from "../testing/kube-error-code.js";
import { parseJoinRequest, parseJoinTokenRequest, parseUserTokenRequest, tokenListView, tokenView } from "./tokens-spec.js";

function causes(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeError) return (e.details?.causes ?? []).map((c) => `${c.field}: ${c.reason}`);
    throw e;
  }
  return [];
}

describe("user token requests", () => {
  it("takes a user, groups, an expiry and a description, adding system:authenticated", () => {
    expect(parseUserTokenRequest({ user: "alice", groups: ["dev", "dev"], expirationSeconds: 3600, description: "laptop" })).toEqual({
      user: "alice",
      groups: ["dev", "system:authenticated"],
      expirationSeconds: 3600,
      description: "laptop",
    });
    expect(parseUserTokenRequest({ user: "bob" })).toEqual({ user: "bob", groups: ["system:authenticated"] });
  });

  it("answers 422 naming each bad field", () => {
    expect(kubeErrorCode(() => parseUserTokenRequest({}))).toBe(422);
    expect(causes(() => parseUserTokenRequest({ groups: "dev", expirationSeconds: -5 }))).toEqual([
      "user: FieldValueRequired",
      "groups: FieldValueInvalid",
      "expirationSeconds: FieldValueInvalid",
    ]);
    expect(causes(() => parseUserTokenRequest({ user: "a b", groups: ["", 3], expirationSeconds: 1.5, description: 7 }))).toEqual([
      "user: FieldValueInvalid",
      "groups[0]: FieldValueInvalid",
      "groups[1]: FieldValueInvalid",
      "expirationSeconds: FieldValueInvalid",
      "description: FieldValueInvalid",
    ]);
  });

  it("refuses node and bootstrap identities, which only joining hands out", () => {
    expect(causes(() => parseUserTokenRequest({ user: "system:node:n1" }))).toEqual(["user: FieldValueForbidden"]);
    expect(causes(() => parseUserTokenRequest({ user: "system:bootstrap:abc123" }))).toEqual(["user: FieldValueForbidden"]);
    expect(causes(() => parseUserTokenRequest({ user: "x", groups: ["ok", "system:nodes", "system:bootstrappers"] }))).toEqual([
      "groups[1]: FieldValueForbidden",
      "groups[2]: FieldValueForbidden",
    ]);
    // Another admin is a legitimate (and revocable) thing to create.
    expect(parseUserTokenRequest({ user: "ops", groups: ["system:masters"] }).groups).toEqual(["system:masters", "system:authenticated"]);
  });
});

describe("join token requests", () => {
  it("defaults to one use within 24 hours", () => {
    expect(parseJoinTokenRequest({})).toEqual({ expirationSeconds: 86400, uses: 1, description: undefined });
    expect(parseJoinTokenRequest({ expirationSeconds: 600, uses: 5, description: "rack 2" })).toEqual({ expirationSeconds: 600, uses: 5, description: "rack 2" });
  });

  it("always expires and has at least one use", () => {
    expect(causes(() => parseJoinTokenRequest({ expirationSeconds: null }))).toEqual(["expirationSeconds: FieldValueInvalid"]);
    expect(causes(() => parseJoinTokenRequest({ expirationSeconds: 0, uses: 0 }))).toEqual(["expirationSeconds: FieldValueInvalid", "uses: FieldValueInvalid"]);
    expect(causes(() => parseJoinTokenRequest({ uses: "2" }))).toEqual(["uses: FieldValueInvalid"]);
  });
});

describe("join requests", () => {
  it("needs a node name a Node may have", () => {
    expect(parseJoinRequest({ nodeName: "edge-1.example" })).toEqual({ nodeName: "edge-1.example" });
    expect(causes(() => parseJoinRequest({}))).toEqual(["nodeName: FieldValueRequired"]);
    expect(causes(() => parseJoinRequest({ nodeName: "Bad_Name" }))).toEqual(["nodeName: FieldValueInvalid"]);
    expect(kubeErrorCode(() => parseJoinRequest({ nodeName: 42 }))).toBe(422);
  });
});

describe("views", () => {
  const user = { id: "abc123", type: "user" as const, user: "alice", groups: ["system:authenticated"], createdAt: Date.UTC(2026, 0, 1), expiresAt: null, createdBy: "admin" };

  it("shows a token with its secret only when asked (at creation)", () => {
    expect(tokenView(user)).toEqual({
      kind: "Token",
      apiVersion: "kubeflare/v1",
      id: "abc123",
      type: "user",
      user: "alice",
      groups: ["system:authenticated"],
      createdBy: "admin",
      creationTimestamp: "2026-01-01T00:00:00Z",
      expirationTimestamp: null,
    });
    expect(tokenView(user, "abc123.0123456789abcdef").token).toBe("abc123.0123456789abcdef");
  });

  it("shows join tokens without identities, with their uses left", () => {
    const join = { id: "j0in00", type: "join" as const, groups: [], createdAt: 0, expiresAt: 86_400_000, usesRemaining: 2 };
    const list = tokenListView("JoinTokenList", [join]);
    expect(list).toEqual({
      kind: "JoinTokenList",
      apiVersion: "kubeflare/v1",
      items: [{ kind: "JoinToken", apiVersion: "kubeflare/v1", id: "j0in00", usesRemaining: 2, creationTimestamp: "1970-01-01T00:00:00Z", expirationTimestamp: "1970-01-02T00:00:00Z" }],
    });
  });
});
