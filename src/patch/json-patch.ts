/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), as the API server
 * applies it. A document that is not a valid patch is a 400; an operation
 * that cannot apply to the object is a 422, which is how Kubernetes answers
 * patch application failures.
 */
import { KubeError, badRequest } from "../errors.js";
import { clone, deepEqual, isObject, type JsonObject } from "./json-value.js";

export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

/** The API server refuses longer patches (apiserver maxJSONPatchOperations). */
export const maxJsonPatchOperations = 10000;

const ops = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** Splits a JSON pointer into unescaped reference tokens ("" is the root). */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}: bad escape in "${t}"`);
      return t.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

export const formatPointer = (tokens: string[]): string =>
  tokens.map((t) => "/" + t.replace(/~/g, "~0").replace(/\//g, "~1")).join("");

/** Checks the document's shape; throws 400 for anything that is not a patch. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  if (patch.length > maxJsonPatchOperations) {
    throw new KubeError(
      413,
      "RequestEntityTooLarge",
      `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${patch.length}`,
    );
  }
  return patch.map((raw, i) => {
    if (!isObject(raw)) throw badRequest(`JSON patch operation ${i} is not an object`);
    const { op, path } = raw;
    if (typeof op !== "string" || !ops.has(op)) throw badRequest(`Unexpected kind: ${String(op)} (operation ${i})`);
    if (typeof path !== "string") throw badRequest(`${op} operation ${i} is missing "path"`);
    parsePointer(path);
    if ((op === "add" || op === "replace" || op === "test") && !("value" in raw)) {
      throw badRequest(`${op} operation ${i} at ${JSON.stringify(path)} is missing "value"`);
    }
    if (op === "move" || op === "copy") {
      if (typeof raw.from !== "string") throw badRequest(`${op} operation ${i} is missing "from"`);
      parsePointer(raw.from);
    }
    return raw as JsonPatchOperation;
  });
}

/** Applies an RFC 6902 patch to a copy of `doc` and returns the result. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  let out = clone(doc);
  for (const op of decodeJsonPatch(patch)) out = applyOperation(out, op);
  return out;
}

const notApplicable = (op: string, pointer: string, why: string) =>
  new KubeError(422, "Invalid", `${op} operation does not apply: ${why}: ${JSON.stringify(pointer)}`, {
    causes: [{ reason: "FieldValueInvalid", field: pointer, message: why }],
  });

function applyOperation(doc: unknown, op: JsonPatchOperation): unknown {
  switch (op.op) {
    case "add":
      return add(doc, op.path, clone(op.value), "add");
    case "remove":
      return remove(doc, op.path, "remove").doc;
    case "replace": {
      if (op.path === "") return clone(op.value);
      const { doc: without } = remove(doc, op.path, "replace");
      return add(without, op.path, clone(op.value), "replace");
    }
    case "move": {
      if (op.from === op.path) {
        get(doc, op.from, "move");
        return doc;
      }
      if (op.path.startsWith(op.from + "/")) {
        throw notApplicable("move", op.from, "cannot move a value into one of its own children");
      }
      const { doc: without, value } = remove(doc, op.from, "move");
      return add(without, op.path, value, "move");
    }
    case "copy":
      return add(doc, op.path, clone(get(doc, op.from, "copy")), "copy");
    case "test": {
      const actual = get(doc, op.path, "test");
      if (!deepEqual(actual, op.value)) {
        throw new KubeError(422, "Invalid", `testing value ${op.path} failed: test failed`, {
          causes: [{ reason: "FieldValueInvalid", field: op.path, message: "test failed" }],
        });
      }
      return doc;
    }
  }
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < length || (allowEnd && i === length) ? i : undefined;
}

/** Walks to the container holding the last token of `pointer`. */
function parentOf(doc: unknown, pointer: string, op: string): { parent: unknown; key: string } {
  const tokens = parsePointer(pointer);
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      if (i === undefined) throw notApplicable(op, pointer, "doc is missing path");
      cur = cur[i];
    } else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) {
      cur = cur[t];
    } else {
      throw notApplicable(op, pointer, "doc is missing path");
    }
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function get(doc: unknown, pointer: string, op: string): unknown {
  if (pointer === "") return doc;
  const { parent, key } = parentOf(doc, pointer, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i !== undefined) return parent[i];
  } else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, key)) {
    return parent[key];
  }
  throw notApplicable(op, pointer, "doc is missing path");
}

function add(doc: unknown, pointer: string, value: unknown, op: string): unknown {
  if (pointer === "") return value;
  const { parent, key } = parentOf(doc, pointer, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, true);
    if (i === undefined) throw notApplicable(op, pointer, "array index out of range");
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    (parent as JsonObject)[key] = value;
  } else {
    throw notApplicable(op, pointer, "doc is missing path");
  }
  return doc;
}

function remove(doc: unknown, pointer: string, op: string): { doc: unknown; value: unknown } {
  if (pointer === "") throw notApplicable(op, pointer, "cannot remove the whole document");
  const { parent, key } = parentOf(doc, pointer, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i === undefined) throw notApplicable(op, pointer, "doc is missing path");
    const [value] = parent.splice(i, 1);
    return { doc, value };
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, key)) {
    const value = parent[key];
    delete parent[key];
    return { doc, value };
  }
  throw notApplicable(op, pointer, "doc is missing path");
}
