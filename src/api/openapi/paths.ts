/**
 * The `paths` of a group-version document: collection, item and subresource
 * paths for each kind, each operation tagged with `x-kubernetes-action` and
 * `x-kubernetes-group-version-kind` the way kube-openapi does. kubectl's
 * field-validation probe scans PATCH operations by GVK (every one it meets
 * for the kind must declare `fieldValidation`), and `kubectl explain` finds a
 * resource's GVK from the operations on its collection and item paths.
 */
import type { ResourceType, Subresource } from "../../schema/registry.js";
import { componentNameOf } from "./component-names.js";
import { deleteOptionsComponent, patchComponent, refTo, statusComponent, type JsonSchema } from "./components.js";
import {
  deleteParams,
  listParams,
  logParams,
  nameParam,
  namespaceParam,
  patchParams,
  prettyParam,
  writeParams,
} from "./parameters.js";

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/**
 * Strategic merge patch is served but deliberately not listed: when it is,
 * kubectl computes SMP from these schemas and warns on any field they lack,
 * instead of using its compiled-in types (kubectl-wire §0.6).
 */
export const patchContentTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

const cap = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
/** `CoreV1`, `AppsV1`, `NetworkingV1`: the operationId infix kube-openapi uses. */
const groupVersionWord = (group: string, version: string) => cap(group ? group.split(".")[0] : "core") + cap(version);

const jsonBody = (schema: JsonSchema): JsonSchema => ({ content: { "application/json": { schema } } });
const refOrObject = (g: Gvk, known: (g: Gvk) => boolean): JsonSchema =>
  known(g) ? refTo(componentNameOf(g.group, g.version, g.kind)) : { type: "object" };

function operation(
  operationId: string,
  action: string,
  gvk: Gvk,
  parameters: JsonSchema[],
  responses: Record<string, JsonSchema>,
  requestBody?: JsonSchema,
): JsonSchema {
  const op: JsonSchema = { operationId, description: describeAction(action, gvk.kind), parameters };
  if (requestBody) op.requestBody = requestBody;
  op.responses = { ...responses, "401": { description: "Unauthorized" } };
  op["x-kubernetes-action"] = action;
  op["x-kubernetes-group-version-kind"] = { group: gvk.group, version: gvk.version, kind: gvk.kind };
  return op;
}

function describeAction(action: string, kind: string): string {
  switch (action) {
    case "list":
      return `list or watch objects of kind ${kind}`;
    case "post":
      return `create a ${kind}`;
    case "deletecollection":
      return `delete collection of ${kind}`;
    case "put":
      return `replace the specified ${kind}`;
    case "patch":
      return `partially update the specified ${kind}`;
    case "delete":
      return `delete a ${kind}`;
    default:
      return `read the specified ${kind}`;
  }
}

/**
 * Path items for one kind. `known` says whether a GVK has a component schema
 * (subresource kinds outside the registry may not).
 */
export function resourcePaths(t: ResourceType, known: (g: Gvk) => boolean): Record<string, JsonSchema> {
  const gv = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const word = groupVersionWord(t.group, t.version);
  const scope = t.namespaced ? "Namespaced" : "";
  const base = t.namespaced ? `${gv}/namespaces/{namespace}/${t.resource}` : `${gv}/${t.resource}`;
  const scopeParams = t.namespaced ? [namespaceParam] : [];
  const kindSchema = refTo(componentNameOf(t.group, t.version, t.kind));
  const listSchema = refTo(componentNameOf(t.group, t.version, `${t.kind}List`));
  const status = refTo(statusComponent);
  const deleteBody = { content: { "*/*": { schema: refTo(deleteOptionsComponent) } } };
  const can = (verb: string) => t.verbs.includes(verb);
  const paths: Record<string, JsonSchema> = {};

  const collection: JsonSchema = { parameters: [...scopeParams, prettyParam] };
  if (can("list")) {
    collection.get = operation(`list${word}${scope}${t.kind}`, "list", t, listParams, { "200": { description: "OK", ...jsonBody(listSchema) } });
  }
  if (can("create")) {
    collection.post = operation(
      `create${word}${scope}${t.kind}`,
      "post",
      t,
      writeParams,
      { "200": { description: "OK", ...jsonBody(kindSchema) }, "201": { description: "Created", ...jsonBody(kindSchema) } },
      { content: { "*/*": { schema: kindSchema } }, required: true },
    );
  }
  if (can("deletecollection")) {
    collection.delete = operation(
      `delete${word}Collection${scope}${t.kind}`,
      "deletecollection",
      t,
      [...deleteParams, ...listParams],
      { "200": { description: "OK", ...jsonBody(status) } },
      deleteBody,
    );
  }
  paths[base] = collection;

  const item: JsonSchema = { parameters: [nameParam(t.kind), ...scopeParams, prettyParam] };
  if (can("get")) item.get = operation(`read${word}${scope}${t.kind}`, "get", t, [], { "200": { description: "OK", ...jsonBody(kindSchema) } });
  if (can("update")) {
    item.put = operation(
      `replace${word}${scope}${t.kind}`,
      "put",
      t,
      writeParams,
      { "200": { description: "OK", ...jsonBody(kindSchema) }, "201": { description: "Created", ...jsonBody(kindSchema) } },
      { content: { "*/*": { schema: kindSchema } }, required: true },
    );
  }
  if (can("patch")) item.patch = patchOperation(`patch${word}${scope}${t.kind}`, t, kindSchema);
  if (can("delete")) {
    item.delete = operation(
      `delete${word}${scope}${t.kind}`,
      "delete",
      t,
      deleteParams,
      { "200": { description: "OK", ...jsonBody(kindSchema) }, "202": { description: "Accepted", ...jsonBody(kindSchema) } },
      deleteBody,
    );
  }
  paths[`${base}/{name}`] = item;

  // Namespaced kinds are also listed across namespaces (`kubectl get pods -A`).
  if (t.namespaced && can("list")) {
    paths[`${gv}/${t.resource}`] = {
      parameters: [prettyParam],
      get: operation(`list${word}${t.kind}ForAllNamespaces`, "list", t, listParams, { "200": { description: "OK", ...jsonBody(listSchema) } }),
    };
  }

  for (const sub of t.subresources) {
    paths[`${base}/{name}/${sub.name}`] = subresourcePath(t, sub, `${word}${scope}${t.kind}${cap(sub.name)}`, scopeParams, known);
  }
  return paths;
}

function patchOperation(operationId: string, gvk: Gvk, bodySchema: JsonSchema): JsonSchema {
  const content = Object.fromEntries(patchContentTypes.map((type) => [type, { schema: refTo(patchComponent) }]));
  return operation(
    operationId,
    "patch",
    gvk,
    patchParams,
    { "200": { description: "OK", ...jsonBody(bodySchema) }, "201": { description: "Created", ...jsonBody(bodySchema) } },
    { content, required: true },
  );
}

function subresourcePath(t: ResourceType, sub: Subresource, suffix: string, scopeParams: JsonSchema[], known: (g: Gvk) => boolean): JsonSchema {
  const item: JsonSchema = { parameters: [nameParam(sub.kind), ...scopeParams, prettyParam] };
  const body = refOrObject(sub, known);
  const ok = (schema: JsonSchema) => ({ "200": { description: "OK", ...jsonBody(schema) } });
  if (sub.verbs.includes("get")) {
    item.get =
      sub.name === "log"
        ? operation(`read${suffix}`, "get", sub, logParams, { "200": { description: "OK", content: { "text/plain": { schema: { type: "string" } } } } })
        : operation(`read${suffix}`, "get", sub, [], ok(body));
  }
  if (sub.verbs.includes("update")) {
    item.put = operation(`replace${suffix}`, "put", sub, writeParams, ok(body), { content: { "*/*": { schema: body } }, required: true });
  }
  if (sub.verbs.includes("patch")) item.patch = patchOperation(`patch${suffix}`, sub, body);
  if (sub.verbs.includes("create")) {
    item.post = operation(
      `create${suffix}`,
      "post",
      sub,
      writeParams,
      { ...ok(body), "201": { description: "Created", ...jsonBody(body) } },
      { content: { "*/*": { schema: body } }, required: true },
    );
  }
  return item;
}
