/**
 * GET /kubeflare/v1/audit?since=<RFC 3339>&limit=<n>&continue=<token>: the
 * audit log, oldest first, as an audit.k8s.io/v1 EventList. Admins only.
 */
import { Hono } from "hono";
import { badRequest } from "../errors.js";
import type { AppEnv } from "./app.js";
import { requireAdmin } from "./admin.js";
import { auditStore } from "./audit.js";
import { json } from "./responses.js";
import { MAX_PAGE } from "../durable/audit-table.js";

function parseSince(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`since: invalid value ${JSON.stringify(v)}: must be an RFC 3339 time`);
  return t;
}

function parseCount(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${name}: invalid value ${JSON.stringify(v)}: must be a non-negative integer`);
  return Number(v);
}

export function auditApi() {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    requireAdmin(c.get("user"), "get", c.req.path);
    const limit = parseCount("limit", c.req.query("limit"));
    if (limit !== undefined && (limit < 1 || limit > MAX_PAGE)) throw badRequest(`limit: must be between 1 and ${MAX_PAGE}`);
    const page = await auditStore(c.env).readAudit({
      since: parseSince(c.req.query("since")),
      after: parseCount("continue", c.req.query("continue")),
      limit,
    });
    return json({
      kind: "EventList",
      apiVersion: "audit.k8s.io/v1",
      metadata: page.continue !== undefined ? { continue: String(page.continue) } : {},
      items: page.items,
    });
  });
  return app;
}
