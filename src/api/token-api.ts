/**
 * Tokens over plain HTTP (curl-friendly, docs/security.md), mounted at /kubeflare/v1:
 *
 *   POST   /tokens            {user, groups?, expirationSeconds?, description?} → 201 Token with its `token`, shown once
 *   GET    /tokens            user tokens and node credentials (never a secret or hash)
 *   GET    /tokens/{id}       one of them
 *   DELETE /tokens/{id}       revoke
 *   POST   /jointokens        {expirationSeconds? (86400), uses? (1), description?} → 201 JoinToken with its `token`
 *   GET    /jointokens, GET|DELETE /jointokens/{id}
 *   POST   /join              {nodeName}, authenticated by a join token → 201 NodeCredential with its `token`
 *
 * Managing tokens mints identities, so it is for system:masters only.
 */
import { Hono, type Context } from "hono";
import { KubeError } from "../errors.js";
import { unwrap, type Result } from "../durable/result.js";
import { clusterStore } from "../durable/stubs.js";
import { generateToken, hashToken, parseToken, TOKEN_ID_PATTERN, type TokenRecord, type TokenType } from "../auth/tokens.js";
import { parseJoinRequest, parseJoinTokenRequest, parseUserTokenRequest, tokenListView, tokenView } from "../auth/tokens-spec.js";
import type { AppEnv } from "./app.js";
import { bearerToken, tokenCache } from "./auth.js";
import { readObject } from "./body.js";
import { json } from "./responses.js";

/** Draws a fresh token, hashes it, and stores it through `store`; another id if that one is taken. */
async function mint(store: (id: string, hash: string) => Promise<Result<TokenRecord>>): Promise<{ record: TokenRecord; token: string }> {
  for (let attempt = 0; ; attempt++) {
    const { id, token } = generateToken();
    const r = await store(id, await hashToken(token));
    // 36^6 ids make a clash rare; three in a row means something else is wrong, so report it.
    if (!r.ok && r.status.reason === "AlreadyExists" && r.status.details?.name === id && attempt < 2) continue;
    return { record: unwrap(r), token };
  }
}

/** Upstream's wording for a refused non-resource request. */
function requireMasters(c: Context<AppEnv>): void {
  const user = c.get("user");
  if (!user.groups.includes("system:masters"))
    throw new KubeError(403, "Forbidden", `forbidden: User "${user.name}" cannot ${c.req.method.toLowerCase()} path "${c.req.path}"`, {});
}

function tokenId(c: Context<AppEnv>, resource: string): string {
  const id = c.req.param("id") ?? "";
  if (!TOKEN_ID_PATTERN.test(id)) throw new KubeError(404, "NotFound", `${resource} "${id}" not found`, { name: id, kind: resource });
  return id;
}

export function tokenApi() {
  const app = new Hono<AppEnv>();
  const ACCESS: TokenType[] = ["user", "node"];
  const JOIN: TokenType[] = ["join"];

  app.use("/tokens/*", async (c, next) => (requireMasters(c), next()));
  app.use("/tokens", async (c, next) => (requireMasters(c), next()));
  app.use("/jointokens/*", async (c, next) => (requireMasters(c), next()));
  app.use("/jointokens", async (c, next) => (requireMasters(c), next()));

  app.post("/tokens", async (c) => {
    const spec = parseUserTokenRequest(await readObject(c.req.raw));
    const now = Date.now();
    const { record, token } = await mint((id, hash) =>
      clusterStore(c.env).createToken(
        {
          id,
          type: "user",
          user: spec.user,
          groups: spec.groups,
          createdBy: c.get("user").name,
          description: spec.description,
          createdAt: now,
          expiresAt: spec.expirationSeconds ? now + spec.expirationSeconds * 1000 : null,
        },
        hash,
      ),
    );
    return json(tokenView(record, token), 201);
  });

  app.post("/jointokens", async (c) => {
    const spec = parseJoinTokenRequest(await readObject(c.req.raw));
    const now = Date.now();
    const { record, token } = await mint((id, hash) =>
      clusterStore(c.env).createToken(
        {
          id,
          type: "join",
          groups: [],
          createdBy: c.get("user").name,
          description: spec.description,
          createdAt: now,
          expiresAt: now + spec.expirationSeconds * 1000,
          usesRemaining: spec.uses,
        },
        hash,
      ),
    );
    return json(tokenView(record, token), 201);
  });

  for (const [path, types, list] of [
    ["/tokens", ACCESS, "TokenList"],
    ["/jointokens", JOIN, "JoinTokenList"],
  ] as const) {
    const resource = path.slice(1);
    app.get(path, async (c) => json(tokenListView(list, await clusterStore(c.env).listTokens([...types]))));
    app.get(`${path}/:id`, async (c) => json(tokenView(unwrap(await clusterStore(c.env).getToken(tokenId(c, resource), [...types])))));
    app.delete(`${path}/:id`, async (c) => {
      const id = tokenId(c, resource);
      const record = unwrap(await clusterStore(c.env).deleteToken(id, [...types]));
      tokenCache.forgetId(id);
      return json(tokenView(record));
    });
  }

  // The authentication middleware let only a live join token through to here.
  app.post("/join", async (c) => {
    const presented = parseToken(bearerToken(c.req.raw) ?? "");
    if (!presented) throw new KubeError(401, "Unauthorized", "Unauthorized");
    const joinHash = await hashToken(`${presented.id}.${presented.secret}`);
    const { nodeName } = parseJoinRequest(await readObject(c.req.raw));
    const { record, token } = await mint((id, hash) => clusterStore(c.env).joinNode(presented.id, joinHash, nodeName, { id, hash }));
    return json({ ...tokenView(record, token), kind: "NodeCredential" }, 201);
  });

  return app;
}
