/**
 * The REST verbs on resources: turns a parsed request into a call on the
 * store that owns the object, and the result into the wire form the client
 * asked for (object, List, Table, watch stream).
 */
import type { Env } from "../env.js";
import { KubeError, badRequest } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { groupVersion, type ResourceType } from "../schema/registry.js";
import { storeFor } from "../durable/stubs.js";
import { unwrap } from "../durable/result.js";
import type { ObjectList } from "../durable/resource-store.js";
import { findUnknownFields, strictDecodingError } from "./openapi/index.js";
import { toTable } from "./table/index.js";
import { checkFieldSelector, parseFieldSelector, parseLabelSelector } from "./selectors/index.js";
import { listAllNamespaces, watchAllNamespaces } from "./all-namespaces.js";
import { patchTypeOf, readDeleteOptions, readObject, readPatch } from "./body.js";
import { checkListQuery, readOptions, type RequestOptions } from "./query.js";
import { json, STREAM_HEADERS, success } from "./responses.js";
import { notFoundPath, type ResourceRequest } from "./request-path.js";
import { identity, MergedWatch, objectTransform } from "./watch-stream.js";
import { handleSubresource } from "./subresources/index.js";

export async function handleResource(request: Request, env: Env, req: ResourceRequest): Promise<Response> {
  const opts = readOptions(request);
  if (opts.list.fieldSelector) checkFieldSelector(parseFieldSelector(opts.list.fieldSelector), req.type);
  if (opts.list.labelSelector) parseLabelSelector(opts.list.labelSelector);
  if (req.subresource) return handleSubresource(request, env, req, opts);
  const { type: rt, namespace, name } = req;
  const store = storeFor(env, rt.namespaced ? namespace : undefined);
  const call = { namespace: rt.namespaced ? namespace : undefined, dryRun: opts.dryRun, fieldManager: opts.fieldManager };
  const allNamespaces = rt.namespaced && namespace === undefined;

  switch (request.method) {
    case "GET": {
      if (name === undefined) {
        if (opts.watch) return watchResponse(env, rt, req, opts);
        const list = allNamespaces ? await listAllNamespaces(env, rt, opts.list) : unwrap(await store.list(rt.resource, opts.list));
        return json(renderList(rt, list, opts));
      }
      if (allNamespaces) throw notFoundPath();
      const o = unwrap(await store.get(rt.resource, name));
      return json(opts.table ? toTable(rt, [o], { now: Date.now(), includeObject: opts.includeObject, resourceVersion: o.metadata.resourceVersion }) : o);
    }
    case "POST": {
      if (name !== undefined || allNamespaces) throw methodNotAllowed(request);
      const body = checkTypeMeta(rt, await readObject(request));
      const warnings = checkUnknownFields(rt, body, opts);
      const r = await store.create(rt.resource, body as KubeObject, call);
      return json(unwrap(r), 201, warnings);
    }
    case "PUT": {
      if (name === undefined) throw methodNotAllowed(request);
      const body = checkTypeMeta(rt, await readObject(request));
      const warnings = checkUnknownFields(rt, body, opts);
      const o = unwrap(await store.update(rt.resource, name, body as KubeObject, call));
      return json(o, 200, warnings);
    }
    case "PATCH": {
      if (name === undefined) throw methodNotAllowed(request);
      const patchType = patchTypeOf(request);
      const patch = await readPatch(request, patchType);
      if (patchType === "apply" && !opts.fieldManager)
        throw badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
      const warnings = patchType === "json" ? {} : checkUnknownFields(rt, stripDirectives(patch), opts);
      const r = await store.patch(rt.resource, name, patch, { ...call, patchType, force: opts.force });
      return json(unwrap(r), r.ok ? r.code ?? 200 : 200, warnings);
    }
    case "DELETE": {
      const deleteOptions = await readDeleteOptions(request);
      if (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes("All")) call.dryRun = true;
      if (name === undefined) {
        if (allNamespaces) throw methodNotAllowed(request);
        // deletecollection takes ListOptions, as a list does.
        checkListQuery(opts.list);
        const list = unwrap(await store.deleteCollection(rt.resource, opts.list, deleteOptions, call));
        return json(renderList(rt, list, { ...opts, table: false }));
      }
      const r = await store.delete(rt.resource, name, deleteOptions, call);
      return json(unwrap(r), r.ok ? r.code ?? 200 : 200);
    }
    default:
      throw methodNotAllowed(request);
  }
}

const methodNotAllowed = (request: Request) =>
  new KubeError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${request.method})`);

export function renderList(rt: ResourceType, list: ObjectList, opts: RequestOptions): unknown {
  if (opts.table)
    return toTable(rt, list.items, {
      now: Date.now(),
      includeObject: opts.includeObject,
      resourceVersion: list.resourceVersion,
      continue: list.continue,
    });
  return {
    kind: `${rt.kind}List`,
    apiVersion: groupVersion(rt),
    metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
    items: list.items,
  };
}

async function watchResponse(env: Env, rt: ResourceType, req: ResourceRequest, opts: RequestOptions): Promise<Response> {
  const transform = opts.table
    ? objectTransform((o) => toTable(rt, [o], { now: Date.now(), includeObject: opts.includeObject }))
    : identity;
  let body: ReadableStream<Uint8Array>;
  if (rt.namespaced && req.namespace === undefined) body = await watchAllNamespaces(env, rt, opts.list, transform);
  else {
    const stream = unwrap(await storeFor(env, rt.namespaced ? req.namespace : undefined).watch(rt.resource, opts.list));
    if (transform === identity) body = stream;
    else {
      const merged = new MergedWatch(transform);
      merged.add(stream, () => merged.close());
      body = merged.readable;
    }
  }
  return new Response(body, { status: 200, headers: STREAM_HEADERS });
}

function checkTypeMeta(rt: ResourceType, body: Record<string, unknown>): Record<string, unknown> {
  const gv = groupVersion(rt);
  if (body.apiVersion !== undefined && body.apiVersion !== gv)
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
  if (body.kind !== undefined && body.kind !== rt.kind)
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${rt.kind})`);
  return body;
}

/** fieldValidation: Strict rejects unknown fields; Warn keeps them and says so in a Warning header. */
function checkUnknownFields(rt: ResourceType, body: unknown, opts: RequestOptions): Record<string, string> {
  if (opts.fieldValidation === "Ignore") return {};
  const unknown = findUnknownFields(rt, body);
  if (!unknown.length) return {};
  if (opts.fieldValidation === "Strict") throw strictDecodingError(rt, unknown);
  return { warning: unknown.map((f) => `299 - "unknown field \\"${headerSafe(f)}\\""`).join(", ") };
}

/**
 * A field name as it may appear in a header value: headers carry bytes, not
 * text, so anything outside printable ASCII (a control character or 名前 in a
 * key) is written as a \u escape, and quotes and backslashes are escaped.
 */
const headerSafe = (s: string) =>
  s.replace(/[^\x20-\x7e]|["\\]/g, (ch) => (ch === '"' || ch === "\\" ? `\\${ch}` : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));

/** Patch directives ($patch, $setElementOrder/…, $retainKeys, …) are not fields. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!v || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = stripDirectives(x);
  return out;
}

export { success };
