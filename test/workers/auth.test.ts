/**
 * Authentication beyond the admin token, inside the Workers runtime: user
 * tokens (create, use, revoke, expire), join tokens (single- and multi-use,
 * good for joining only), node credentials (identity, one per node name,
 * revoked with their Node), and what the cluster store keeps of them.
 */
import { SELF, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authenticate } from "../../src/api/auth.js";
import { hashToken } from "../../src/auth/tokens.js";
import type { ResourceStore } from "../../src/durable/resource-store.js";
import { call, createNode, env, storeStub } from "./helpers.js";

/** Authenticates as the Worker does, asking the store every time (no isolate cache). */
const whoami = (token: string, path = "/api/v1/namespaces/default/pods") =>
  authenticate(new Request(`https://kubeflare.test${path}`, { headers: { authorization: `Bearer ${token}` } }), { ...env, AUTH_CACHE_SECONDS: "0" });

/** The Status code authenticate() fails with, or 200. */
async function authCode(token: string, path?: string): Promise<number> {
  try {
    await whoami(token, path);
    return 200;
  } catch (e) {
    return (e as { code?: number }).code ?? 500;
  }
}

async function as(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await SELF.fetch(`https://kubeflare.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const createUserToken = async (body: Record<string, unknown>) => {
  const r = await call("POST", "/kubeflare/v1/tokens", body);
  expect(r.status, r.text).toBe(201);
  return r.body;
};

const createJoinToken = async (body: Record<string, unknown> = {}) => {
  const r = await call("POST", "/kubeflare/v1/jointokens", body);
  expect(r.status, r.text).toBe(201);
  return r.body;
};

const join = (joinToken: string, nodeName: string) => as(joinToken, "POST", "/kubeflare/v1/join", { nodeName });

const cluster = () => storeStub("cluster") as unknown as DurableObjectStub<ResourceStore>;

describe("user tokens", () => {
  it("are created by the admin, shown once, and authenticate as their user and groups", async () => {
    const created = await createUserToken({ user: "alice", groups: ["dev"], description: "alice's laptop" });
    expect(created).toMatchObject({ kind: "Token", apiVersion: "kubeflare/v1", type: "user", user: "alice", groups: ["dev", "system:authenticated"], expirationTimestamp: null, createdBy: "admin" });
    expect(created.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(created.token.startsWith(`${created.id}.`)).toBe(true);
    expect(await whoami(created.token)).toEqual({ name: "alice", groups: ["dev", "system:authenticated"] });
    expect((await as(created.token, "GET", "/version")).status).toBe(200);

    const listed = await call("GET", "/kubeflare/v1/tokens");
    expect(listed.body.kind).toBe("TokenList");
    const item = listed.body.items.find((t: any) => t.id === created.id);
    expect(item).toMatchObject({ user: "alice", description: "alice's laptop" });
    expect(JSON.stringify(listed.body)).not.toContain(created.token.slice(7));
    const one = await call("GET", `/kubeflare/v1/tokens/${created.id}`);
    expect(one.body.token).toBeUndefined();
    expect(one.body.user).toBe("alice");
  });

  it("stop working once revoked", async () => {
    const { id, token } = await createUserToken({ user: "bob" });
    expect((await as(token, "GET", "/version")).status).toBe(200);
    const revoked = await call("DELETE", `/kubeflare/v1/tokens/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, user: "bob" });
    expect(await authCode(token)).toBe(401);
    // This isolate revoked it, so it forgot it at once (others within AUTH_CACHE_SECONDS).
    const after = await as(token, "GET", "/version");
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    expect((await call("DELETE", `/kubeflare/v1/tokens/${id}`)).status).toBe(404);
    expect((await call("GET", `/kubeflare/v1/tokens/${id}`)).status).toBe(404);
  });

  it("stop working once expired, and leave the lists", async () => {
    const { id, token } = await createUserToken({ user: "carol", expirationSeconds: 3600 });
    expect(Date.parse((await call("GET", `/kubeflare/v1/tokens/${id}`)).body.expirationTimestamp)).toBeGreaterThan(Date.now() + 3500_000);
    expect(await authCode(token)).toBe(200);
    // Move its expiry into the past, as the passing of an hour would.
    await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1, id);
    });
    expect(await authCode(token)).toBe(401);
    expect((await as(token, "GET", "/version")).status).toBe(401);
    expect((await call("GET", "/kubeflare/v1/tokens")).body.items.map((t: any) => t.id)).not.toContain(id);
  });

  it("are refused when unknown, malformed or with a wrong secret", async () => {
    const { id } = await createUserToken({ user: "dave" });
    expect(await authCode(`${id}.0000000000000000`)).toBe(401);
    expect(await authCode("zzzzzz.0123456789abcdef")).toBe(401);
    expect(await authCode("not-a-token")).toBe(401);
    expect((await as(`${id}.0000000000000000`, "GET", "/version")).status).toBe(401);
  });

  it("can be managed by system:masters only, and never claim a node's identity", async () => {
    const { token } = await createUserToken({ user: "eve", groups: ["dev"] });
    const denied = await as(token, "POST", "/kubeflare/v1/tokens", { user: "eve", groups: ["system:masters"] });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ kind: "Status", reason: "Forbidden" });
    expect((await as(token, "GET", "/kubeflare/v1/tokens")).status).toBe(403);
    expect((await as(token, "POST", "/kubeflare/v1/jointokens", {})).status).toBe(403);
    const node = await call("POST", "/kubeflare/v1/tokens", { user: "system:node:w-fake" });
    expect(node.status).toBe(422);
    expect(node.body.details.causes[0]).toMatchObject({ field: "user", reason: "FieldValueForbidden" });
    expect((await call("POST", "/kubeflare/v1/tokens", { groups: ["x"] })).status).toBe(422);
    expect((await call("GET", "/kubeflare/v1/tokens/NOT-AN-ID")).status).toBe(404);
  });
});

describe("join tokens and node credentials", () => {
  it("a single-use join token registers one node, whose credential is system:node:<name>", async () => {
    const jt = await createJoinToken();
    expect(jt).toMatchObject({ kind: "JoinToken", usesRemaining: 1 });
    expect(Date.parse(jt.expirationTimestamp) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(await authCode(jt.token, "/kubeflare/v1/join")).toBe(200);

    const joined = await join(jt.token, "w-join-1");
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({ kind: "NodeCredential", type: "node", nodeName: "w-join-1", user: "system:node:w-join-1", createdBy: `system:bootstrap:${jt.id}` });
    expect(await whoami(joined.body.token)).toEqual({ name: "system:node:w-join-1", groups: ["system:nodes", "system:authenticated"] });

    // Spent: a second join fails, and the token is gone from the list.
    const again = await join(jt.token, "w-join-1b");
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ kind: "Status", reason: "Unauthorized" });
    expect((await call("GET", "/kubeflare/v1/jointokens")).body.items.map((t: any) => t.id)).not.toContain(jt.id);
    // The credential is listed (never its secret) among tokens.
    const listed = (await call("GET", "/kubeflare/v1/tokens")).body.items.find((t: any) => t.id === joined.body.id);
    expect(listed).toMatchObject({ type: "node", nodeName: "w-join-1" });
  });

  it("a join token works on the join endpoint only, and only a join token works there", async () => {
    const jt = await createJoinToken({ uses: 3 });
    expect((await as(jt.token, "GET", "/version")).status).toBe(401);
    expect((await as(jt.token, "GET", "/api/v1/nodes")).status).toBe(401);
    expect((await as(jt.token, "GET", "/kubeflare/v1/jointokens")).status).toBe(401);
    expect(await authCode(jt.token)).toBe(401);

    const user = await createUserToken({ user: "frank" });
    expect((await join(user.token, "w-join-frank")).status).toBe(401);
    expect((await as(env.ADMIN_TOKEN, "POST", "/kubeflare/v1/join", { nodeName: "w-join-admin" })).status).toBe(401);
    const cred = (await join(jt.token, "w-join-2")).body;
    expect((await join(cred.token, "w-join-2b")).status).toBe(401);
  });

  it("a multi-use join token counts down, then stops", async () => {
    const jt = await createJoinToken({ uses: 2, expirationSeconds: 600, description: "rack 2" });
    expect((await join(jt.token, "w-multi-a")).status).toBe(201);
    expect((await call("GET", `/kubeflare/v1/jointokens/${jt.id}`)).body).toMatchObject({ usesRemaining: 1, description: "rack 2" });
    expect((await join(jt.token, "w-multi-b")).status).toBe(201);
    expect((await join(jt.token, "w-multi-c")).status).toBe(401);
  });

  it("revoked and expired join tokens admit no one", async () => {
    const revoked = await createJoinToken();
    expect((await call("DELETE", `/kubeflare/v1/jointokens/${revoked.id}`)).status).toBe(200);
    expect((await join(revoked.token, "w-revoked")).status).toBe(401);

    const expired = await createJoinToken();
    await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1, expired.id);
    });
    expect((await join(expired.token, "w-expired")).status).toBe(401);
  });

  it("refuses a bad node name without spending the token", async () => {
    const jt = await createJoinToken();
    const bad = await join(jt.token, "Not_A_Node");
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe("nodeName");
    expect((await join(jt.token, "w-after-bad-name")).status).toBe(201);
  });

  it("one credential per node name: a second join is 409 until the Node is deleted, which revokes the credential", async () => {
    const name = "w-taken";
    await createNode(name);
    const first = (await join((await createJoinToken()).token, name)).body;
    expect(await authCode(first.token)).toBe(200);

    const second = await createJoinToken();
    const refused = await join(second.token, name);
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe("Conflict");
    expect(refused.body.message).toContain("already joined");
    expect((await call("GET", `/kubeflare/v1/jointokens/${second.id}`)).body.usesRemaining).toBe(1);

    expect((await call("DELETE", `/api/v1/nodes/${name}`)).status).toBe(200);
    expect(await authCode(first.token)).toBe(401);
    expect((await call("GET", `/kubeflare/v1/tokens/${first.id}`)).status).toBe(404);

    const rejoined = await join(second.token, name);
    expect(rejoined.status).toBe(201);
    expect(await whoami(rejoined.body.token)).toEqual({ name: `system:node:${name}`, groups: ["system:nodes", "system:authenticated"] });
  });

  it("revoking a node credential directly frees its name too", async () => {
    const name = "w-revoke-cred";
    const cred = (await join((await createJoinToken()).token, name)).body;
    expect((await call("DELETE", `/kubeflare/v1/tokens/${cred.id}`)).status).toBe(200);
    expect(await authCode(cred.token)).toBe(401);
    expect((await join((await createJoinToken()).token, name)).status).toBe(201);
  });
});

describe("storage", () => {
  it("keeps only SHA-256 hashes, never a token or its secret", async () => {
    const user = await createUserToken({ user: "grace" });
    const jt = await createJoinToken({ uses: 2 });
    const cred = (await join(jt.token, "w-storage")).body;
    const rows = await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) =>
      state.storage.sql.exec("SELECT * FROM tokens").toArray(),
    );
    const dump = JSON.stringify(rows);
    for (const t of [user.token, jt.token, cred.token]) {
      expect(dump).not.toContain(t);
      expect(dump).not.toContain(t.slice(7));
      const row = rows.find((r) => r.id === t.slice(0, 6))!;
      expect(row.hash).toBe(await hashToken(t));
    }
    // Nor anywhere else in the cluster store's tables.
    const everything = await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray();
      return JSON.stringify(tables.map((t) => state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray()));
    });
    for (const t of [user.token, jt.token, cred.token]) expect(everything).not.toContain(t.slice(7));
  });

  it("drops expired tokens when tokens are written", async () => {
    const jt = await createJoinToken();
    await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1, jt.id);
    });
    await createUserToken({ user: "heidi" });
    const count = await runInDurableObject(cluster(), (_: ResourceStore, state: DurableObjectState) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM tokens WHERE id = ?", jt.id).one().n,
    );
    expect(count).toBe(0);
  });
});
