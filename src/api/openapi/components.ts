/**
 * `components.schemas` for every OpenAPI document, generated once from the zod
 * schemas: `z.toJSONSchema` over a registry of upstream names (so shared
 * sub-schemas become `$ref`s), then reshaped the way kube-openapi emits v3:
 * property refs wrapped in `allOf`, no `additionalProperties` on structs,
 * `x-kubernetes-group-version-kind` on each top-level kind, a `<Kind>List`
 * per kind. Strict field validation walks these same schemas, so what
 * `kubectl explain` shows and what the server accepts cannot drift apart.
 */
import { z } from "zod";
import { resourceTypes } from "../../schema/registry.js";
import { componentNameOf, componentNames } from "./component-names.js";
import { subresourceKinds } from "./subresource-kinds.js";

export type JsonSchema = { [key: string]: any };

export const schemaRef = (name: string) => `#/components/schemas/${name}`;
export const refTo = (name: string): JsonSchema => ({ $ref: schemaRef(name) });

const metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const patchComponent = `${metaV1}.Patch`;
export const statusComponent = `${metaV1}.Status`;
export const deleteOptionsComponent = `${metaV1}.DeleteOptions`;
const listMetaComponent = `${metaV1}.ListMeta`;

/** Keywords zod emits that OpenAPI 3.0 has no use for (or that name zod's own registry). */
const dropped = new Set(["$id", "id", "$schema", "propertyNames"]);

/** Reshapes zod's output into kube-openapi's conventions (see module comment). */
function tidy(node: unknown, insideAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n));
  if (!node || typeof node !== "object") return node;
  const src = node as JsonSchema;
  if (typeof src.$ref === "string" && !insideAllOf) {
    const { $ref, ...rest } = src;
    return { allOf: [{ $ref }], ...(tidy(rest) as JsonSchema) };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(src)) {
    if (dropped.has(key)) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, tidy(v)]));
    } else if (key === "allOf") {
      out.allOf = (value as unknown[]).map((v) => tidy(v, true));
    } else if (key === "items" || key === "additionalProperties" || key === "anyOf" || key === "oneOf") {
      out[key] = tidy(value);
    } else {
      out[key] = value;
    }
  }
  // zod's looseObject says "any other key is fine"; upstream structs list their
  // fields only, and explain would render an open struct as a map.
  if (out.properties && isEmptySchema(out.additionalProperties)) delete out.additionalProperties;
  // z.number().int() bounds to JS safe integers; that is a runtime limit, not an API contract.
  if (out.type === "integer" && out.minimum === Number.MIN_SAFE_INTEGER && out.maximum === Number.MAX_SAFE_INTEGER) {
    delete out.minimum;
    delete out.maximum;
  }
  return out;
}

const isEmptySchema = (v: unknown) => !!v && typeof v === "object" && Object.keys(v).length === 0;

const envelope = {
  apiVersion:
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
  kind: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.",
  metadata: "Standard object's metadata.",
};

/**
 * Gives the conventional fields a description where the zod schema has none:
 * explain's field list prints the property's own description only, so one on
 * the referenced component (ObjectMeta, PodSpec) would show as `<no description>`.
 */
function describeEnvelope(kindSchema: JsonSchema, kind: string) {
  const props = kindSchema.properties ?? {};
  const texts: Record<string, string> = {
    ...envelope,
    spec: `Spec defines the desired state of the ${kind}.`,
    status: `Status is the most recently observed state of the ${kind}. Populated by the system. Read-only.`,
  };
  for (const [field, text] of Object.entries(texts)) {
    const prop = props[field] as JsonSchema | undefined;
    if (prop && !prop.description) prop.description = text;
  }
}

const gvkList = (group: string, version: string, kind: string) => [{ group, kind, version }];

function listComponent(group: string, version: string, kind: string): JsonSchema {
  return {
    description: `${kind}List is a list of ${kind} objects.`,
    type: "object",
    properties: {
      apiVersion: { type: "string", description: envelope.apiVersion },
      items: { type: "array", description: `List of ${kind} objects.`, items: { allOf: [refTo(componentNameOf(group, version, kind))] } },
      kind: { type: "string", description: envelope.kind },
      metadata: { allOf: [refTo(listMetaComponent)], description: "Standard list metadata." },
    },
    required: ["items"],
    "x-kubernetes-group-version-kind": gvkList(group, version, `${kind}List`),
  };
}

function build(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of componentNames()) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    target: "openapi-3.0",
    io: "input",
    unrepresentable: "any",
    uri: schemaRef,
  }).schemas as Record<string, JsonSchema>;
  // Shared definitions only appear for cycles, which the schemas do not have; a
  // `__shared` entry would leave dangling refs, so fail loudly at generation.
  if ("__shared" in generated) throw new Error("openapi: zod produced shared definitions (a schema cycle?)");

  const all: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(generated)) all[name] = tidy(schema) as JsonSchema;

  for (const t of [...resourceTypes, ...subresourceKinds]) {
    const kindSchema = all[componentNameOf(t.group, t.version, t.kind)];
    // Two kinds sharing one zod instance would share one component, and explain needs one per GVK.
    if (!kindSchema) throw new Error(`openapi: no component for ${t.kind}; does it reuse another kind's schema instance?`);
    kindSchema["x-kubernetes-group-version-kind"] = gvkList(t.group, t.version, t.kind);
    describeEnvelope(kindSchema, t.kind);
  }
  for (const t of resourceTypes) {
    all[componentNameOf(t.group, t.version, `${t.kind}List`)] = listComponent(t.group, t.version, t.kind);
  }
  all[patchComponent] = {
    description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
    type: "object",
  };
  return all;
}

let cache: Record<string, JsonSchema> | undefined;

/** Every component schema, by upstream name. Built on first use, then shared: treat as read-only. */
export function allComponents(): Record<string, JsonSchema> {
  return (cache ??= build());
}

/** The named components `roots` reach through `$ref`s, roots included, sorted by name. */
export function componentClosure(roots: string[]): Record<string, JsonSchema> {
  const all = allComponents();
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") enter(value.split("/").pop()!);
      else visit(value);
    }
  };
  const enter = (name: string) => {
    if (seen.has(name) || !all[name]) return;
    seen.add(name);
    visit(all[name]);
  };
  roots.forEach(enter);
  return Object.fromEntries([...seen].sort().map((name) => [name, all[name]]));
}
