/**
 * Strict field validation (`?fieldValidation=Strict`, which kubectl apply,
 * create and replace send once the OpenAPI says the server supports it). The
 * zod schemas are loose so unmodelled fields round-trip; this pass reports
 * the fields the published schema does not declare, as the API server's strict
 * decoder does, so a typo like `imagee` fails instead of vanishing.
 */
import { badRequest, type KubeError } from "../../errors.js";
import type { ResourceType } from "../../schema/registry.js";
import { componentNameOf } from "./component-names.js";
import { allComponents, type JsonSchema } from "./components.js";
import { appendPath, childOf, shapeOf } from "./schema-walk.js";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Paths of the fields in `object` that the kind's schema does not declare,
 * e.g. `spec.containers[0].imagee`, `metadata.foo`. Map keys (labels,
 * annotations, data) and `x-kubernetes-preserve-unknown-fields` subtrees
 * accept anything. An undeclared field is reported once, not its children.
 * Takes any GVK with a component, so a subresource body (`Scale`, `Eviction`)
 * is checked against its own kind; an unknown GVK yields no findings.
 */
export function findUnknownFields(resourceType: Pick<ResourceType, "group" | "version" | "kind">, object: unknown): string[] {
  const components = allComponents();
  const root = components[componentNameOf(resourceType.group, resourceType.version, resourceType.kind)];
  const unknown: string[] = [];
  const walk = (value: unknown, schema: JsonSchema, path: string) => {
    if (Array.isArray(value)) {
      const items = shapeOf(schema, components).items;
      if (items) value.forEach((v, i) => walk(v, items, appendPath(path, i, false)));
      return;
    }
    if (!isPlainObject(value)) return;
    const shape = shapeOf(schema, components);
    if (shape.preserveUnknown || shape.open) return;
    for (const [key, v] of Object.entries(value)) {
      const child = childOf(shape, key);
      if (child) walk(v, child.schema, appendPath(path, key, child.mapKey));
      else unknown.push(appendPath(path, key, false));
    }
  };
  if (root) walk(object, root, "");
  return unknown;
}

/**
 * The 400 the API server answers with under `fieldValidation=Strict`, e.g.
 * `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`.
 */
export function strictDecodingError(t: { version: string; kind: string }, fields: string[]): KubeError {
  const list = fields.map((f) => `unknown field "${f}"`).join(", ");
  return badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${list}`);
}

/** The per-field warnings sent instead under `fieldValidation=Warn` (one `Warning` header each). */
export const unknownFieldWarnings = (fields: string[]): string[] => fields.map((f) => `unknown field "${f}"`);
