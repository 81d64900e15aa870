/**
 * Schema validation of a whole object, reported the way the API server's
 * field validators do: one cause per field, `field` spelled as a field path
 * and `message` as field.Error prints its body (`Required value`,
 * `Unsupported value: "x": supported values: "a", "b"`). Feed the result to
 * `invalid(kind, name, causes)` for the 422 kubectl prints.
 */
import type { core as zcore } from "zod";
import type { Cause } from "../../errors.js";
import type { ResourceType } from "../../schema/registry.js";
import { componentNameOf } from "./component-names.js";
import { allComponents } from "./components.js";
import { fieldPath } from "./schema-walk.js";

type Issue = zcore.$ZodIssue;

/** How field.Error prints a bad value: strings quoted, scalars bare, the rest as JSON. */
function valueString(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

/** zod's type names in OpenAPI's words. */
function typeName(expected: string): string {
  switch (expected) {
    case "int":
      return "integer";
    case "record":
      return "object";
    default:
      return expected;
  }
}

interface Flat {
  issue: Issue;
  path: PropertyKey[];
}

/**
 * A union failure is reported at the union: when every branch only disagreed
 * on the type of the value itself (IntOrString, Quantity), as a type error
 * naming all accepted types; otherwise through the branch that got furthest.
 */
function flatten(issue: Issue, base: PropertyKey[]): Flat[] {
  const path = [...base, ...issue.path];
  if (issue.code !== "invalid_union" || !issue.errors.length) return [{ issue, path }];
  const branches = issue.errors;
  const typeOnly = branches.every((b) => b.length > 0 && b.every((i) => i.code === "invalid_type" && i.path.length === 0));
  if (typeOnly) return [{ issue, path }];
  const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((inner) => flatten(inner, path));
}

function causeOf({ issue, path }: Flat, field: string): Cause {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return { reason: "FieldValueRequired", message: "Required value", field };
      return {
        reason: "FieldValueTypeInvalid",
        message: `Invalid value: ${valueString(input)}: must be of type ${typeName(issue.expected)}`,
        field,
      };
    case "invalid_union": {
      const types = [...new Set(issue.errors.flat().map((i) => typeName((i as { expected?: string }).expected ?? "")))].filter(Boolean);
      if (!types.length) return { reason: "FieldValueInvalid", message: `Invalid value: ${valueString(input)}: ${issue.message}`, field };
      return {
        reason: "FieldValueTypeInvalid",
        message: `Invalid value: ${valueString(input)}: must be of type ${types.join(" or ")}`,
        field,
      };
    }
    case "invalid_value": {
      const supported = issue.values.map((v) => valueString(v)).join(", ");
      return {
        reason: "FieldValueNotSupported",
        message: `Unsupported value: ${valueString(input)}: supported values: ${supported}`,
        field,
      };
    }
    default:
      return { reason: "FieldValueInvalid", message: `Invalid value: ${valueString(input)}: ${issue.message}`, field };
  }
}

/** Causes for every way `object` fails the kind's zod schema; empty when it is valid. */
export function validateObject(resourceType: ResourceType, object: unknown): Cause[] {
  const result = resourceType.schema.safeParse(object, { reportInput: true });
  if (result.success) return [];
  const components = allComponents();
  const root = components[componentNameOf(resourceType.group, resourceType.version, resourceType.kind)];
  const causes: Cause[] = [];
  const seen = new Set<string>();
  for (const flat of result.error.issues.flatMap((i) => flatten(i as Issue, []))) {
    const cause = causeOf(flat, fieldPath(flat.path, root, components));
    const key = `${cause.field}\u0000${cause.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      causes.push(cause);
    }
  }
  return causes;
}

/** The `SchemaValidator` the registry lifecycle takes (src/registry/lifecycle.ts). */
export const validateSchema: (resourceType: ResourceType, object: unknown) => Cause[] = validateObject;
