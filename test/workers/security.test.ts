/**
 * Protections (docs/security.md): Secrets sealed at rest in both the object
 * rows and the watch log, key rotation, per-token request limits and watch
 * caps, and the audit log.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { Keyring } from "../../src/crypto/keyring.js";
import { parseKek, toBase64, unwrapKey } from "../../src/crypto/envelope.js";
import { call, env, storeStub, TOKEN } from "./helpers.js";

const PASSWORD = "correct-horse-battery-staple";
const B64 = btoa(PASSWORD);

/** The Worker called in-process with an adjusted environment (test-lowered limits). */
async function fetchWith(vars: Partial<Env>, method: string, path: string, token = TOKEN, body?: unknown) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await worker.fetch(
    new Request(`https://kubeflare.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, ...vars } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function createNamespace(name: string) {
  expect((await call("POST", "/api/v1/namespaces", { metadata: { name } })).status).toBe(201);
}

async function createSecret(ns: string, name: string) {
  const r = await call("POST", `/api/v1/namespaces/${ns}/secrets`, {
    metadata: {
      name,
      labels: { app: "db" },
      // kubectl apply repeats the whole object here, data included.
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { password: PASSWORD } }) },
    },
    stringData: { password: PASSWORD },
  });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Every stored body of secrets in a store: object rows and change-log rows. */
async function rawSecretRows(ns: string): Promise<{ objects: string[]; changes: string[] }> {
  return runInDurableObject(storeStub(`ns:${ns}`), async (_instance, state) => ({
    objects: state.storage.sql.exec<{ body: string }>("SELECT body FROM objects WHERE resource = 'secrets'").toArray().map((r) => r.body),
    changes: state.storage.sql.exec<{ body: string }>("SELECT body FROM changes WHERE resource = 'secrets'").toArray().map((r) => r.body),
  }));
}

async function firstWatchEvent(res: Response): Promise<any> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
  }
  await reader.cancel();
  return JSON.parse(buf.slice(0, buf.indexOf("\n")));
}

describe("Secrets at rest", () => {
  it("stores no plaintext in object rows or the change log, yet get, list and watch return it", async () => {
    const ns = "sec-rest";
    await createNamespace(ns);
    const rvBefore = (await call("GET", `/api/v1/namespaces/${ns}/secrets`)).body.metadata.resourceVersion;
    await createSecret(ns, "db");
    expect((await call("PATCH", `/api/v1/namespaces/${ns}/secrets/db`, { data: { user: btoa("admin-user") } }, { "content-type": "application/merge-patch+json" })).status).toBe(200);

    const raw = await rawSecretRows(ns);
    expect(raw.objects).toHaveLength(1);
    expect(raw.changes).toHaveLength(2);
    for (const body of [...raw.objects, ...raw.changes]) {
      expect(body.startsWith("k8s:enc:kf-aesgcm:v1:")).toBe(true);
      for (const needle of [PASSWORD, B64, "admin-user", btoa("admin-user"), "last-applied"]) expect(body).not.toContain(needle);
    }

    const got = await call("GET", `/api/v1/namespaces/${ns}/secrets/db`);
    expect(got.body.data).toEqual({ password: B64, user: btoa("admin-user") });
    expect(got.body.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).toContain(PASSWORD);
    const list = await call("GET", `/api/v1/namespaces/${ns}/secrets?labelSelector=app%3Ddb`);
    expect(list.body.items.map((s: any) => s.data.password)).toEqual([B64]);

    // A watch from an older version replays the sealed change log.
    const watch = await fetchWith({}, "GET", `/api/v1/namespaces/${ns}/secrets?watch=true&resourceVersion=${rvBefore}`);
    const event = await firstWatchEvent(watch);
    expect(event.type).toBe("ADDED");
    expect(event.object.data.password).toBe(B64);

    // Deleting logs a sealed DELETED change too.
    expect((await call("DELETE", `/api/v1/namespaces/${ns}/secrets/db`)).status).toBe(200);
    const after = await rawSecretRows(ns);
    expect(after.objects).toHaveLength(0);
    expect(after.changes).toHaveLength(3);
    for (const body of after.changes) expect(body).not.toContain(B64);
  });

  it("seals the node channel's shares, which carry the Secrets a node's pods use", async () => {
    const ns = "sec-shares";
    await createNamespace(ns);
    await createSecret(ns, "db");
    const pod = await call("POST", `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: "app" },
      spec: { nodeName: "sec-node", containers: [{ name: "app", image: "busybox", env: [{ name: "P", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }] }] },
    });
    expect(pod.status, pod.text).toBe(201);
    const desired = await call("GET", "/kubeflare/v1/nodes/sec-node/desired?version=&timeoutSeconds=0");
    expect(desired.body.secrets.map((s: any) => s.data.password)).toEqual([B64]);

    const shard = env.NODE_CHANNEL.get(env.NODE_CHANNEL.idFromName("shard:0"));
    const rows = await runInDurableObject(shard, async (_instance, state) =>
      state.storage.sql.exec<{ body: string }>("SELECT body FROM shares WHERE node = 'sec-node'").toArray().map((r) => r.body),
    );
    expect(rows).toHaveLength(1);
    for (const body of rows) {
      expect(body.startsWith("k8s:enc:kf-aesgcm:v1:")).toBe(true);
      for (const needle of [PASSWORD, B64, "last-applied"]) expect(body).not.toContain(needle);
    }
  });

  it("re-wraps data keys found under the previous KEK, and still opens every record", async () => {
    const ns = "sec-rewrap";
    await createNamespace(ns);
    await createSecret(ns, "db");
    const configured = parseKek(env.SECRETS_KEK!);
    const next = crypto.getRandomValues(new Uint8Array(32));
    const result = await runInDurableObject(storeStub(`ns:${ns}`), async (_instance, state) => {
      const sql = state.storage.sql;
      const wrappedBefore = sql.exec<{ wrapped: string }>("SELECT wrapped FROM encryption_keys").one().wrapped;
      // As after `wrangler secret put SECRETS_KEK` with the old key in SECRETS_KEK_PREVIOUS.
      const rotated = new Keyring(sql, () => ({ current: next, previous: configured }));
      const body = sql.exec<{ body: string }>("SELECT body FROM objects WHERE resource = 'secrets'").one().body;
      const opened = JSON.parse(rotated.open(body, "objects/secrets/db"));
      const status = rotated.status();
      const wrappedAfter = sql.exec<{ wrapped: string }>("SELECT wrapped FROM encryption_keys").one().wrapped;
      // Put the configured KEK back for the rest of the suite, the same way round.
      new Keyring(sql, () => ({ current: configured, previous: next })).status();
      return { wrappedBefore, wrappedAfter, opened, status };
    });
    expect(result.opened.data.password).toBe(B64);
    expect(result.status.rewrapped).toBe(1);
    expect(result.wrappedAfter).not.toBe(result.wrappedBefore);
    expect(unwrapKey(next, result.wrappedAfter)).toBeDefined();
    expect(unwrapKey(configured, result.wrappedAfter)).toBeUndefined();
    expect((await call("GET", `/api/v1/namespaces/${ns}/secrets/db`)).body.data.password).toBe(B64);
  });

  it("refuses to open a store's keys with an unrelated KEK", async () => {
    const ns = "sec-wrongkek";
    await createNamespace(ns);
    await createSecret(ns, "db");
    const message = await runInDurableObject(storeStub(`ns:${ns}`), async (_instance, state) => {
      const stranger = new Keyring(state.storage.sql, () => ({ current: crypto.getRandomValues(new Uint8Array(32)) }));
      try {
        stranger.status();
        return "opened";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(message).toMatch(/SECRETS_KEK_PREVIOUS/);
  });

  it("rotates to a new data key: re-seals every row in batches, retires the old key, seals legacy plaintext rows", async () => {
    const ns = "sec-dek";
    await createNamespace(ns);
    for (let i = 0; i < 120; i++) await createSecret(ns, `s${String(i).padStart(3, "0")}`);
    // A row from before encryption was turned on.
    await runInDurableObject(storeStub(`ns:${ns}`), async (_instance, state) => {
      const legacy = { apiVersion: "v1", kind: "Secret", metadata: { name: "legacy", namespace: ns, resourceVersion: "1", uid: "u" }, data: { password: B64 } };
      state.storage.sql.exec("INSERT INTO objects (resource, name, rv, body) VALUES ('secrets', 'legacy', 1, ?)", JSON.stringify(legacy));
    });
    expect((await call("GET", `/api/v1/namespaces/${ns}/secrets/legacy`)).body.data.password).toBe(B64);

    const before = (await call("GET", "/kubeflare/v1/encryption")).body.stores.find((s: any) => s.store === `ns:${ns}`).report;
    const r = await call("POST", "/kubeflare/v1/encryption/rotate?dataKey=new");
    expect(r.status, r.text).toBe(200);
    const report = r.body.stores.find((s: any) => s.store === `ns:${ns}`).report;
    expect(report.active).not.toBe(before.active);
    expect(report.retired).toEqual([before.active]);
    expect(report.keys).toEqual([report.active]);
    expect(report.inUse).toEqual([report.active]);
    expect(report.resealed).toBe(121 + 120);

    const raw = await rawSecretRows(ns);
    for (const body of [...raw.objects, ...raw.changes]) expect(body.startsWith(`k8s:enc:kf-aesgcm:v1:${report.active}:`)).toBe(true);
    const list = await call("GET", `/api/v1/namespaces/${ns}/secrets`);
    expect(list.body.items).toHaveLength(121);
    expect(list.body.items.every((s: any) => s.data.password === B64)).toBe(true);
  });

  it("lets only admins see or rotate keys", async () => {
    const minted = await call("POST", "/kubeflare/v1/tokens", { user: "sec-viewer" });
    expect(minted.status, minted.text).toBe(201);
    const res = await fetchWith({}, "POST", "/kubeflare/v1/encryption/rotate", minted.body.token);
    expect(res.status).toBe(403);
  });
});

describe("request limits", () => {
  it("answers 429 with Retry-After once a token's rate is used up, per token", async () => {
    const minted = await call("POST", "/kubeflare/v1/tokens", { user: "sec-rate" });
    const token = minted.body.token;
    const lowered = { RATE_LIMIT_QPS: "0.2", RATE_LIMIT_BURST: "3" };
    const codes: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await fetchWith(lowered, "GET", "/version", token);
      codes.push(res.status);
      if (res.status === 429) limited = res;
    }
    // The burst is spent whatever the answers were (authorization may refuse a plain user /version).
    expect(codes.slice(0, 3).includes(429)).toBe(false);
    expect(codes[3]).toBe(429);
    expect(limited!.headers.get("retry-after")).toBe("5");
    const status = (await limited!.json()) as any;
    expect(status).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429, details: { retryAfterSeconds: 5 } });
    // Another token (the admin, exempt as system:masters) is not affected.
    expect((await fetchWith(lowered, "GET", "/version")).status).toBe(200);
    // Admins are limited too once admin limits are configured.
    const adminCodes: number[] = [];
    for (let i = 0; i < 3; i++) adminCodes.push((await fetchWith({ ADMIN_RATE_LIMIT_QPS: "0.5", ADMIN_RATE_LIMIT_BURST: "2" }, "GET", "/version")).status);
    expect(adminCodes).toEqual([200, 200, 429]);
  });

  it("caps open watches per token and frees a slot when a watch ends", async () => {
    const minted = await call("POST", "/kubeflare/v1/tokens", { user: "sec-watch", groups: ["system:masters"] });
    const token = minted.body.token;
    const capped = { WATCH_LIMIT: "2" };
    const path = "/api/v1/namespaces/default/configmaps?watch=true";
    const first = await fetchWith(capped, "GET", path, token);
    const second = await fetchWith(capped, "GET", path, token);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await fetchWith(capped, "GET", path, token);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(((await third.json()) as any).message).toMatch(/open watches/);
    // A plain request is not a watch and still goes through.
    expect((await fetchWith(capped, "GET", "/api/v1/namespaces/default/configmaps", token)).status).toBe(200);

    await first.body!.cancel();
    let again: Response | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await again?.body?.cancel();
      await new Promise((r) => setTimeout(r, 20));
      again = await fetchWith(capped, "GET", path, token);
    }
    expect(again!.status).toBe(200);
    await again!.body!.cancel();
    await second.body!.cancel();
  });
});

describe("audit log", () => {
  it("records creates, patches and deletes with user, verb, object and code, readable by admins only", async () => {
    const since = new Date().toISOString();
    const ns = "sec-audit";
    await createNamespace(ns);
    await fetchWith({}, "POST", `/api/v1/namespaces/${ns}/configmaps`, TOKEN, { metadata: { name: "cfg" }, data: { a: "1" } });
    const ctx = createExecutionContext();
    const patch = await worker.fetch(
      new Request(`https://kubeflare.test/api/v1/namespaces/${ns}/configmaps/cfg`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/merge-patch+json", "user-agent": "kubectl/v1.32.0" },
        body: JSON.stringify({ data: { a: "2" } }),
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(patch.status).toBe(200);
    await fetchWith({}, "DELETE", `/api/v1/namespaces/${ns}/configmaps/cfg`);
    await fetchWith({}, "DELETE", `/api/v1/namespaces/${ns}/configmaps/missing`);

    const res = await fetchWith({}, "GET", `/kubeflare/v1/audit?since=${encodeURIComponent(since)}&limit=1000`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as any;
    expect(list).toMatchObject({ kind: "EventList", apiVersion: "audit.k8s.io/v1" });
    const mine = list.items.filter((e: any) => e.objectRef?.namespace === ns && e.objectRef?.resource === "configmaps");
    expect(mine.map((e: any) => [e.verb, e.objectRef.name, e.responseStatus.code])).toEqual([
      ["create", undefined, 201],
      ["patch", "cfg", 200],
      ["delete", "cfg", 200],
      ["delete", "missing", 404],
    ]);
    expect(mine[1]).toMatchObject({ user: { username: "admin", groups: ["system:masters", "system:authenticated"] }, userAgent: "kubectl/v1.32.0" });
    expect(Date.parse(mine[0].requestReceivedTimestamp)).toBeGreaterThanOrEqual(Date.parse(since));
    // Reads are not audited; the namespace create is.
    expect(list.items.some((e: any) => e.verb === "get" || e.verb === "list")).toBe(false);
    expect(list.items.some((e: any) => e.verb === "create" && e.objectRef?.resource === "namespaces" && e.requestURI === "/api/v1/namespaces")).toBe(true);

    const page = (await (await fetchWith({}, "GET", `/kubeflare/v1/audit?since=${encodeURIComponent(since)}&limit=1`)).json()) as any;
    expect(page.items).toHaveLength(1);
    const nextPage = (await (await fetchWith({}, "GET", `/kubeflare/v1/audit?since=${encodeURIComponent(since)}&limit=1&continue=${page.metadata.continue}`)).json()) as any;
    expect(nextPage.items[0].auditID).not.toBe(page.items[0].auditID);

    const viewer = await call("POST", "/kubeflare/v1/tokens", { user: "sec-audit-reader" });
    const denied = await fetchWith({}, "GET", "/kubeflare/v1/audit", viewer.body.token);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).reason).toBe("Forbidden");
  });
});

describe("without SECRETS_KEK", () => {
  it("refuses to serve rather than store Secrets in the clear", async () => {
    const res = await fetchWith({ SECRETS_KEK: undefined }, "GET", "/api/v1/namespaces");
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).message).toMatch(/SECRETS_KEK is not set/);
    const bad = await fetchWith({ SECRETS_KEK: toBase64(new Uint8Array(8)) }, "GET", "/api/v1/namespaces");
    expect(bad.status).toBe(503);
    expect((await fetchWith({ SECRETS_KEK: undefined }, "GET", "/healthz")).status).toBe(200);
  });
});
