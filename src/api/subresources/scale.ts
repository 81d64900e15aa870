/**
 * The scale subresource (autoscaling/v1 Scale) of Deployments and
 * ReplicaSets: `kubectl scale` PATCHes it with a merge patch, or PUTs a whole
 * Scale (with no Content-Type) when --current-replicas is given.
 */
import { badRequest, conflict } from "../../errors.js";
import type { KubeObject } from "../../schema/meta.js";
import { qualifiedResource, type ResourceType } from "../../schema/registry.js";
import type { StoreApi } from "../../durable/stubs.js";
import { unwrap } from "../../durable/result.js";
import { applyPatch } from "../../patch/index.js";
import { labelSelectorToString } from "../selectors/index.js";
import { patchTypeOf, readObject, readPatch } from "../body.js";
import type { RequestOptions } from "../query.js";
import { json } from "../responses.js";

type Store = StoreApi;

export function toScale(o: KubeObject): KubeObject {
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: o.spec?.selector ? labelSelectorToString(o.spec.selector) : "" },
  };
}

export async function handleScale(request: Request, store: Store, rt: ResourceType, name: string, opts: RequestOptions): Promise<Response> {
  const current = unwrap(await store.get(rt.resource, name));
  if (request.method === "GET") return json(toScale(current));
  let desired: KubeObject;
  if (request.method === "PUT") desired = (await readObject(request)) as KubeObject;
  else if (request.method === "PATCH") {
    const type = patchTypeOf(request);
    desired = applyPatch(type, toScale(current), await readPatch(request, type), { kind: "Scale", now: new Date(), manager: opts.fieldManager });
  } else throw badRequest(`method ${request.method} is not supported on scale`);
  const replicas = desired.spec?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
    throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  // Scale.spec.replicas is an int32: anything larger cannot even be decoded upstream.
  if (replicas > 2 ** 31 - 1) throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${replicas}: must fit in an int32`);
  const precondition = desired.metadata?.resourceVersion;
  if (precondition && precondition !== current.metadata.resourceVersion)
    throw conflict(qualifiedResource(rt), name, "the object has been modified; please apply your changes to the latest version and try again");
  const next = structuredClone(current);
  next.spec = { ...next.spec, replicas };
  const updated = unwrap(await store.update(rt.resource, name, next, { namespace: current.metadata.namespace, dryRun: opts.dryRun }));
  return json(toScale(updated));
}
