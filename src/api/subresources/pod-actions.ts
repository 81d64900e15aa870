/**
 * Pod subresources that act: eviction (`kubectl drain`) deletes the pod
 * gracefully and answers with a Status; binding sets spec.nodeName.
 */
import { badRequest } from "../../errors.js";
import type { DeleteOptions, KubeObject } from "../../schema/meta.js";
import type { StoreApi } from "../../durable/stubs.js";
import { unwrap } from "../../durable/result.js";
import { checkDeleteOptions, readObject } from "../body.js";
import type { RequestOptions } from "../query.js";
import { json } from "../responses.js";

type Store = StoreApi;

export async function handleEviction(request: Request, store: Store, name: string, opts: RequestOptions): Promise<Response> {
  const eviction = await readObject(request);
  if (eviction.kind !== undefined && eviction.kind !== "Eviction") throw badRequest(`expected an Eviction, got ${String(eviction.kind)}`);
  const raw = eviction.deleteOptions ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw badRequest("Eviction deleteOptions must be an object");
  const deleteOptions = checkDeleteOptions(raw as Record<string, unknown>) as DeleteOptions;
  unwrap(await store.delete("pods", name, deleteOptions, { dryRun: opts.dryRun }));
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
}

export async function handleBinding(request: Request, store: Store, name: string, namespace: string | undefined): Promise<Response> {
  const binding = await readObject(request);
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (!target.name) throw badRequest("Binding target.name: Required value");
  const pod = unwrap(await store.get("pods", name));
  if (pod.spec?.nodeName) throw badRequest(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  const next: KubeObject = structuredClone(pod);
  next.spec.nodeName = target.name;
  unwrap(await store.update("pods", name, next, { namespace }));
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
}
