/**
 * Reading the generated component schemas as a tree of fields: what a node
 * declares once its `$ref`s and `allOf`s are followed, and how a field path is
 * spelled. Strict field validation and validation causes both walk values
 * against these schemas, so they report paths exactly as Kubernetes does:
 * `spec.containers[0].image`, `spec.containers[0].resources.limits[cpu]`.
 */
import type { JsonSchema } from "./components.js";

/** What one schema node declares, its `$ref`/`allOf`/`anyOf` members merged in. */
export interface Shape {
  properties: Record<string, JsonSchema>;
  /** Array element schema. */
  items?: JsonSchema;
  /** Map value schema: keys are data, not field names. */
  values?: JsonSchema;
  /** `x-kubernetes-preserve-unknown-fields`: any field is accepted from here down. */
  preserveUnknown: boolean;
  /** Declares neither fields nor values (`{}`, a bare `type: object`): nothing to check against. */
  open: boolean;
}

const cache = new WeakMap<JsonSchema, Shape>();

/** `#/components/schemas/X` → X's schema (the only kind of `$ref` the documents contain). */
export function resolveRef(ref: string, components: Record<string, JsonSchema>): JsonSchema | undefined {
  const prefix = "#/components/schemas/";
  return ref.startsWith(prefix) ? components[ref.slice(prefix.length)] : undefined;
}

export function shapeOf(node: JsonSchema, components: Record<string, JsonSchema>): Shape {
  const hit = cache.get(node);
  if (hit) return hit;
  const shape: Shape = { properties: {}, preserveUnknown: false, open: false };
  const seen = new Set<JsonSchema>();
  const merge = (n: JsonSchema | undefined) => {
    if (!n || typeof n !== "object" || seen.has(n)) return;
    seen.add(n);
    if (typeof n.$ref === "string") merge(resolveRef(n.$ref, components));
    if (n["x-kubernetes-preserve-unknown-fields"] === true) shape.preserveUnknown = true;
    if (n.properties) Object.assign(shape.properties, n.properties);
    if (n.items && typeof n.items === "object") shape.items ??= n.items;
    if (n.additionalProperties && typeof n.additionalProperties === "object") shape.values ??= n.additionalProperties;
    for (const member of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) merge(member);
  };
  merge(node);
  shape.open = !shape.items && !shape.values && Object.keys(shape.properties).length === 0;
  cache.set(node, shape);
  return shape;
}

/** One step down: a declared field, an array element, or a map value; undefined if undeclared. */
export function childOf(shape: Shape, segment: string | number): { schema: JsonSchema; mapKey: boolean } | undefined {
  if (typeof segment === "number") return shape.items ? { schema: shape.items, mapKey: false } : undefined;
  if (Object.hasOwn(shape.properties, segment)) return { schema: shape.properties[segment], mapKey: false };
  if (shape.values) return { schema: shape.values, mapKey: true };
  return undefined;
}

/** Appends one segment the way field.Path prints: `.field`, `[index]`, `[mapKey]`. */
export function appendPath(path: string, segment: string | number, mapKey: boolean): string {
  if (typeof segment === "number" || mapKey) return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}

/** Spells a path of keys and indexes against a schema, bracketing map keys. */
export function fieldPath(
  segments: readonly PropertyKey[],
  root: JsonSchema | undefined,
  components: Record<string, JsonSchema>,
): string {
  let path = "";
  let node = root;
  for (const raw of segments) {
    const segment = typeof raw === "number" ? raw : String(raw);
    const child = node ? childOf(shapeOf(node, components), segment) : undefined;
    path = appendPath(path, segment, child?.mapKey ?? false);
    node = child?.schema;
  }
  return path;
}
