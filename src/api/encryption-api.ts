/**
 * Admin endpoints for Secrets at rest (docs/security.md):
 *   GET  /kubeflare/v1/encryption           each store's data keys and the keys its rows use
 *   POST /kubeflare/v1/encryption/rotate    every store re-wraps its keys with SECRETS_KEK and
 *                                           re-seals rows not under its active key;
 *                                           ?dataKey=new first starts a new data key in each store
 * Stores are visited one at a time, and each re-seals in small batches, so
 * requests keep being served throughout.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { Env } from "../env.js";
import { badRequest } from "../errors.js";
import type { AppEnv } from "./app.js";
import { requireAdmin } from "./admin.js";
import { json } from "./responses.js";
import { unwrap, type Result } from "../durable/result.js";
import type { EncryptionReport } from "../durable/secret-rotation.js";
import { kekFromEnv } from "../crypto/keyring.js";

interface EncryptionApi {
  encryption(op: "status" | "rotate", newKey?: boolean): Promise<Result<EncryptionReport>>;
  list(resource: string): Promise<Result<{ items: { metadata: { name?: string } }[] }>>;
}

const store = (env: Env, name: string) => env.STORE.get(env.STORE.idFromName(name)) as unknown as EncryptionApi;

async function eachStore(env: Env, fn: (s: EncryptionApi) => Promise<Result<EncryptionReport>>) {
  const cluster = store(env, "cluster");
  const namespaces = unwrap(await cluster.list("namespaces")).items.map((n) => n.metadata.name!);
  const stores: { store: string; report: EncryptionReport }[] = [];
  for (const name of ["cluster", ...namespaces.map((ns) => `ns:${ns}`)]) stores.push({ store: name, report: unwrap(await fn(store(env, name))) });
  return { kind: "EncryptionStatus", apiVersion: "kubeflare.dev/v1", stores };
}

export function encryptionApi() {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    requireAdmin(c.get("user"), "get", c.req.path);
    return json(await eachStore(c.env, (s) => s.encryption("status")));
  });
  app.post("/rotate", async (c) => {
    requireAdmin(c.get("user"), "create", c.req.path);
    const dataKey = c.req.query("dataKey");
    if (dataKey !== undefined && dataKey !== "new") throw badRequest(`dataKey: supported values: "new"`);
    return json(await eachStore(c.env, (s) => s.encryption("rotate", dataKey === "new")));
  });
  return app;
}

/**
 * The control plane refuses to serve without a valid SECRETS_KEK rather than
 * store Secrets in the clear (docs/security.md); only the probes answer.
 */
export function requireEncryptionKey(): MiddlewareHandler<AppEnv> {
  let checked: string | undefined;
  return async (c, next) => {
    const kek = c.env.SECRETS_KEK;
    if (kek === undefined || kek !== checked) {
      kekFromEnv(c.env);
      checked = kek;
    }
    await next();
  };
}
