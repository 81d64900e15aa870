/**
 * The three endpoints only agents use (docs/agent-protocol.md): the
 * desired-state long-poll, batched pod status, and stream uploads (logs).
 * Everything else an agent does goes through the ordinary Kubernetes API.
 */
import { Hono } from "hono";
import { badRequest } from "../errors.js";
import type { Status } from "../schema/meta.js";
import { namespaceStore, nodeChannel } from "../durable/stubs.js";
import type { AppEnv } from "./app.js";
import { mediaType, readObject } from "./body.js";
import { json } from "./responses.js";

/** Agents re-ask after this; a little under common proxy idle timeouts. */
const MAX_POLL_SECONDS = 55;

interface PodStatusItem {
  namespace: string;
  name: string;
  uid?: string;
  status: unknown;
}

export function nodeApi() {
  const app = new Hono<AppEnv>();

  app.get("/:node/desired", async (c) => {
    const node = c.req.param("node");
    const version = c.req.query("version") ?? "";
    const timeout = Math.min(Math.max(Number(c.req.query("timeoutSeconds") ?? 30) || 30, 0), MAX_POLL_SECONDS);
    return json(await nodeChannel(c.env, node).desired(node, version, timeout * 1000));
  });

  app.post("/:node/podstatus", async (c) => {
    const node = c.req.param("node");
    const body = await readObject(c.req.raw);
    if (!Array.isArray(body.items)) throw badRequest("items: Required value");
    const byNamespace = new Map<string, PodStatusItem[]>();
    for (const item of body.items as PodStatusItem[]) {
      if (!item || typeof item.namespace !== "string" || typeof item.name !== "string")
        throw badRequest("each item needs namespace and name");
      const list = byNamespace.get(item.namespace) ?? [];
      list.push(item);
      byNamespace.set(item.namespace, list);
    }
    const results = await Promise.all(
      [...byNamespace].map(async ([ns, items]) =>
        (await namespaceStore(c.env, ns).updatePodStatuses(node, ns, items)).map((r) => ({ namespace: ns, ...r })),
      ),
    );
    return json({ results: results.flat() });
  });

  app.post("/:node/streams/:id", async (c) => {
    const { node, id } = c.req.param();
    const channel = nodeChannel(c.env, node);
    let attached: boolean;
    if (mediaType(c.req.raw) === "application/json") {
      const status = (await readObject(c.req.raw)) as Status;
      attached = await channel.attachStream(node, id, null, status);
    } else attached = await channel.attachStream(node, id, c.req.raw.body);
    return json({ attached }, attached ? 200 : 410);
  });

  return app;
}
