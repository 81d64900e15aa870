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
import { nodeApi } from "./node-api.js";
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

  app.all("/api/v1/*", (c) => {
    const rest = c.req.path.slice("/api/v1/".length).split("/");
    return handleResource(c.req.raw, c.env, parseResourcePath("", "v1", rest));
  });
  app.all("/apis/:group/:version/*", (c) => {
    const { group, version } = c.req.param();
    const rest = c.req.path.slice(`/apis/${group}/${version}/`.length).split("/");
    return handleResource(c.req.raw, c.env, parseResourcePath(group, version, rest));
  });

  return app;
}

export { KubeError };
