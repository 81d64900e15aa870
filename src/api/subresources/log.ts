/**
 * pods/log. The control plane cannot dial a node, so the request is handed
 * to the node's agent over its outbound channel (docs/agent-protocol.md) and
 * the agent streams the container's log back.
 */
import type { Env } from "../../env.js";
import { KubeError, fromStatus } from "../../errors.js";
import { nodeChannel, type StoreApi } from "../../durable/stubs.js";
import { unwrap } from "../../durable/result.js";
import type { ResourceRequest } from "../request-path.js";
import { STREAM_HEADERS } from "../responses.js";

const INT_OPTIONS = ["tailLines", "sinceSeconds", "limitBytes"] as const;

export async function handleLog(request: Request, env: Env, store: StoreApi, req: ResourceRequest): Promise<Response> {
  const pod = unwrap(await store.get("pods", req.name!));
  const url = new URL(request.url);
  const names = (list: { name: string }[] | undefined) => (list ?? []).map((c) => c.name);
  const containers = names(pod.spec?.containers);
  const container = url.searchParams.get("container") || containers[0];
  if (!containers.includes(container) && !names(pod.spec?.initContainers).includes(container))
    throw new KubeError(400, "BadRequest", `container ${container} is not valid for pod ${req.name}`);
  const node = pod.spec?.nodeName;
  if (!node) throw new KubeError(400, "BadRequest", `container "${container}" in pod "${req.name}" is waiting to start: ContainerCreating`);
  const options: Record<string, unknown> = {
    follow: url.searchParams.get("follow") === "true",
    timestamps: url.searchParams.get("timestamps") === "true",
    previous: url.searchParams.get("previous") === "true",
  };
  for (const k of INT_OPTIONS) {
    const v = url.searchParams.get(k);
    if (v !== null) {
      if (!/^\d+$/.test(v)) throw new KubeError(400, "BadRequest", `${k}: Invalid value: "${v}": must be a non-negative integer`);
      options[k] = Number(v);
    }
  }
  const sinceTime = url.searchParams.get("sinceTime");
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw new KubeError(400, "BadRequest", `sinceTime: Invalid value: "${sinceTime}"`);
    options.sinceTime = sinceTime;
  }
  const opening = await nodeChannel(env, node).openStream(node, {
    id: crypto.randomUUID(),
    type: "log",
    namespace: pod.metadata.namespace!,
    pod: pod.metadata.name!,
    uid: pod.metadata.uid,
    container,
    options,
  });
  if (!opening.ok) throw fromStatus(opening.status);
  return new Response(opening.stream, { status: 200, headers: { ...STREAM_HEADERS, "content-type": "text/plain; charset=utf-8" } });
}
