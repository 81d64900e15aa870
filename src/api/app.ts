/**
 * The Worker's HTTP surface: the Kubernetes REST API (discovery, OpenAPI,
 * resources) behind bearer-token authentication. Stateless: every object
 * lives in a ResourceStore Durable Object.
 */
import { Hono } from "hono";
import type { Env } from "../env.js";
import { KubeError } from "../errors.js";
import { authenticate, isPublicPath, type UserInfo } from "./auth.js";
import {
  AGGREGATED_TYPE,
  aggregatedCore,
  aggregatedGroups,
  legacyCore,
  legacyGroup,
  legacyGroups,
  resourceList,
  wantsAggregated,
} from "./discovery.js";
import { openapiDocumentText, openapiIndex } from "./openapi/index.js";
import { dashboardPage } from "./dashboard.js";
import { metricsResponse, requestMetrics } from "./metrics.js";
import { handleResource } from "./resources.js";
import { authorization } from "../auth/middleware.js";
import { handleAccessReview } from "../auth/access-reviews.js";
import { nodeApi } from "./node-api.js";
import { tokenApi } from "./token-api.js";
import { requestLimits } from "./limits.js";
import { audit } from "./audit.js";
import { auditApi } from "./audit-api.js";
import { encryptionApi, requireEncryptionKey } from "./encryption-api.js";
import { notFoundPath, parseResourcePath } from "./request-path.js";
import { errorResponse, json } from "./responses.js";
import { serverVersion } from "./version.js";

export type AppEnv = { Bindings: Env; Variables: { user: UserInfo } };

export function createApp() {
  const app = new Hono<AppEnv>();

  app.onError((err) => errorResponse(err));
  app.notFound(() => errorResponse(notFoundPath()));

  for (const probe of ["/healthz", "/livez", "/readyz"]) app.get(probe, (c) => c.text("ok"));
  for (const path of ["/ui", "/ui/"]) app.get(path, () => dashboardPage());
  // Counted before authentication, so refused requests (401/403/429) show up too.
  app.use("*", requestMetrics());

  app.use("*", async (c, next) => {
    if (isPublicPath(c.req.path)) return next();
    c.set("user", await authenticate(c.req.raw, c.env));
    await next();
  });
  // Protections (docs/security.md): no serving without the Secrets key, then per-token limits, then the audit log.
  app.use("*", requireEncryptionKey());
  app.use("*", requestLimits());
  app.use("*", audit());
  // RBAC, the node authorizer and NodeRestriction (docs/security.md "Authorization"): a refused request is a 403 here.
  app.use("*", authorization());

  app.get("/version", () => json(serverVersion));
  app.get("/metrics", (c) => metricsResponse(c.env));

  app.get("/api", (c) =>
    wantsAggregated(c.req.header("accept"))
      ? json(aggregatedCore(), 200, { "content-type": AGGREGATED_TYPE })
      : json(legacyCore(new URL(c.req.url).host)),
  );
  app.get("/apis", (c) =>
    wantsAggregated(c.req.header("accept"))
      ? json(aggregatedGroups(), 200, { "content-type": AGGREGATED_TYPE })
      : json(legacyGroups()),
  );
  app.get("/api/v1", () => json(resourceList("", "v1")));
  app.get("/apis/:group", (c) => {
    const g = legacyGroup(c.req.param("group"));
    if (!g) throw notFoundPath();
    return json(g);
  });
  app.get("/apis/:group/:version", (c) => {
    const list = resourceList(c.req.param("group"), c.req.param("version"));
    if (!list) throw notFoundPath();
    return json(list);
  });

  app.get("/openapi/v3", () => json(openapiIndex()));
  app.get("/openapi/v3/*", (c) => {
    const gv = c.req.path.slice("/openapi/v3/".length);
    const doc = openapiDocumentText(gv);
    if (!doc) throw notFoundPath();
    // kubectl asks with ?hash=; a matching hash names immutable content, as upstream marks it.
    const immutable = c.req.query("hash") === doc.hash;
    return new Response(doc.text, {
      headers: {
        "content-type": "application/json",
        etag: `"${doc.hash}"`,
        ...(immutable ? { "cache-control": "public, immutable" } : {}),
      },
    });
  });

  app.route("/kubeflare/v1/nodes", nodeApi());
  app.route("/kubeflare/v1/audit", auditApi());
  app.route("/kubeflare/v1/encryption", encryptionApi());
  app.route("/kubeflare/v1", tokenApi());

  app.all("/api/v1/*", (c) => {
    const rest = c.req.path.slice("/api/v1/".length).split("/");
    return handleResource(c.req.raw, c.env, parseResourcePath("", "v1", rest));
  });
  app.all("/apis/:group/:version/*", (c) => {
    const { group, version } = c.req.param();
    const rest = c.req.path.slice(`/apis/${group}/${version}/`.length).split("/");
    const req = parseResourcePath(group, version, rest);
    // Access reviews are answered, never stored.
    return req.type.persisted ? handleResource(c.req.raw, c.env, req) : handleAccessReview(c, req);
  });

  return app;
}

export { KubeError };
