/** Subresources: status, scale, eviction, binding, log. */
import type { Env } from "../../env.js";
import { KubeError } from "../../errors.js";
import type { KubeObject } from "../../schema/meta.js";
import { storeFor } from "../../durable/stubs.js";
import { unwrap } from "../../durable/result.js";
import { patchTypeOf, readObject, readPatch } from "../body.js";
import type { RequestOptions } from "../query.js";
import { json } from "../responses.js";
import { notFoundPath, type ResourceRequest } from "../request-path.js";
import { handleScale } from "./scale.js";
import { handleEviction, handleBinding } from "./pod-actions.js";
import { handleLog } from "./log.js";

export async function handleSubresource(request: Request, env: Env, req: ResourceRequest, opts: RequestOptions): Promise<Response> {
  const { type: rt, name, subresource } = req;
  if (name === undefined || !rt.subresources.some((s) => s.name === subresource)) throw notFoundPath();
  const store = storeFor(env, rt.namespaced ? req.namespace : undefined);
  const call = { namespace: req.namespace, dryRun: opts.dryRun, subresource: "status" as const };
  switch (subresource) {
    case "status":
      if (request.method === "GET") return json(unwrap(await store.get(rt.resource, name)));
      if (request.method === "PUT") return json(unwrap(await store.update(rt.resource, name, (await readObject(request)) as KubeObject, call)));
      if (request.method === "PATCH") {
        const patchType = patchTypeOf(request);
        const patch = await readPatch(request, patchType);
        return json(unwrap(await store.patch(rt.resource, name, patch, { ...call, patchType, fieldManager: opts.fieldManager, force: opts.force })));
      }
      break;
    case "scale":
      return handleScale(request, store, rt, name, opts);
    case "eviction":
      if (request.method === "POST") return handleEviction(request, store, name, opts);
      break;
    case "binding":
      if (request.method === "POST") return handleBinding(request, store, name, req.namespace);
      break;
    case "log":
      if (request.method === "GET") return handleLog(request, env, store, req);
      break;
  }
  throw new KubeError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${request.method} ${subresource})`);
}
