/**
 * Authorization of every authenticated request, between authentication and
 * the handlers: a refused request never reaches a store.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../api/app.js";
import { decide, withAuthenticatedGroup, type Authorities } from "./decide.js";
import { forbidden } from "./forbidden.js";
import { storeNodeGraph } from "./node-graph.js";
import { forgetPolicy, storePolicySource } from "./policy-source.js";
import { RBAC_GROUP, RBAC_RESOURCES } from "./rbac-validation.js";
import { requestAttributes } from "./request-attributes.js";

const READ_VERBS = new Set(["get", "list", "watch"]);

export function authorities(env: AppEnv["Bindings"], request: Request): Authorities {
  return { policy: storePolicySource(env), nodeGraph: () => storeNodeGraph(env, request) };
}

export function authorization(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authenticated = c.get("user");
    // Health probes are answered before authentication and carry no identity.
    if (!authenticated) return next();
    const user = withAuthenticatedGroup(authenticated);
    const attrs = requestAttributes(c.req.method, new URL(c.req.url));
    const decision = await decide(user, attrs, authorities(c.env, c.req.raw));
    if (!decision.allowed) throw forbidden(user, attrs, decision.reason);
    await next();
    // This isolate's copy of the policy must not outlive a change made through it.
    if (attrs.kind === "resource" && attrs.apiGroup === RBAC_GROUP && RBAC_RESOURCES.has(attrs.resource) && !READ_VERBS.has(attrs.verb))
      forgetPolicy(attrs.namespace || undefined);
  };
}
