/**
 * The endpoints only agents use (docs/agent-protocol.md): the desired-state
 * channel (a WebSocket, or the long-poll as its fallback), batched pod
 * status, and stream uploads (logs).
 * Everything else an agent does goes through the ordinary Kubernetes API.
 */
import { Hono } from "hono";
import { badRequest, statusOf } from "../errors.js";
import type { Status } from "../schema/meta.js";
import { channelShard, namespaceStore, nodeChannel } from "../durable/stubs.js";
import { dns1123LabelErrors } from "../registry/names.js";
import type { AppEnv } from "./app.js";
import { mediaType, readObject } from "./body.js";
import { json } from "./responses.js";

/** Agents re-ask after this; a little under common proxy idle timeouts. */
const MAX_POLL_SECONDS = 55;
const DEFAULT_POLL_SECONDS = 30;

/** `timeoutSeconds` of the long-poll: absent means the default, 0 answers at once, garbage is the agent's error. */
function pollSeconds(v: string | undefined): number {
  if (v === undefined || v === "") return DEFAULT_POLL_SECONDS;
  if (!/^\d+$/.test(v)) throw badRequest(`invalid value for timeoutSeconds: "${v}": must be a non-negative integer`);
  return Math.min(Number(v), MAX_POLL_SECONDS);
}

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
    const timeout = pollSeconds(c.req.query("timeoutSeconds"));
    return json(await nodeChannel(c.env, node).desired(node, version, timeout * 1000));
  });

  // The channel socket is accepted by the node's shard itself, so the shard can hibernate while it stays open.
  app.get("/:node/channel", async (c) => {
    const node = c.req.param("node");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      return json(statusOf(426, "BadRequest", "the node channel is a WebSocket: send Upgrade: websocket"), 426, { upgrade: "websocket" });
    const shard = c.env.NODE_CHANNEL.get(c.env.NODE_CHANNEL.idFromName(`shard:${channelShard(c.env, node)}`));
    return shard.fetch(c.req.raw);
  });

  app.post("/:node/podstatus", async (c) => {
    const node = c.req.param("node");
    const body = await readObject(c.req.raw);
    if (!Array.isArray(body.items)) throw badRequest("items: Required value");
    const byNamespace = new Map<string, PodStatusItem[]>();
    const unknown: { namespace: string; name: string; code: number; message: string }[] = [];
    for (const item of body.items as PodStatusItem[]) {
      if (!item || typeof item.namespace !== "string" || typeof item.name !== "string")
        throw badRequest("each item needs namespace and name");
      // No pod lives in a namespace with an impossible name: answer for it here rather than wake a store per garbage name.
      if (dns1123LabelErrors(item.namespace).length) {
        unknown.push({ namespace: item.namespace, name: item.name, code: 404, message: `namespace ${JSON.stringify(item.namespace)} not found` });
        continue;
      }
      const list = byNamespace.get(item.namespace) ?? [];
      list.push(item);
      byNamespace.set(item.namespace, list);
    }
    const results = await Promise.all(
      [...byNamespace].map(async ([ns, items]) =>
        (await namespaceStore(c.env, ns).updatePodStatuses(node, ns, items)).map((r) => ({ namespace: ns, ...r })),
      ),
    );
    return json({ results: [...results.flat(), ...unknown] });
  });

  app.post("/:node/streams/:id", async (c) => {
    const { node, id } = c.req.param();
    const channel = nodeChannel(c.env, node);
    let attached: boolean;
    if (mediaType(c.req.raw) === "application/json") {
      const status = (await readObject(c.req.raw)) as Status;
      attached = await channel.attachStream(node, id, null, status);
    } else attached = await channel.attachStream(node, id, c.req.raw.body);
    // The agent reads only the code; a 410 still carries a Status, as every failure here does.
    if (!attached) return json(statusOf(410, "Gone", `no request is waiting for stream ${JSON.stringify(id)} of node ${JSON.stringify(node)}`), 410);
    return json({ attached });
  });

  return app;
}
