/**
 * Sets of field paths, the unit of ownership in server-side apply, with the
 * `FieldsV1` encoding Kubernetes stores in `metadata.managedFields`:
 * `{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}`.
 *
 * A path element is kept in its FieldsV1 spelling: `f:<field>`,
 * `k:<json of key fields>`, `v:<json value>` (set members) or `i:<index>`.
 */
import { badRequest } from "../errors.js";
import { isObject, type JsonObject } from "./json-value.js";

export type PathElement = string;
export type FieldPath = readonly PathElement[];

const keyOf = (path: FieldPath) => JSON.stringify(path);

export class FieldSet {
  private readonly members = new Map<string, FieldPath>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    this.members.set(keyOf(path), path);
  }

  has(path: FieldPath): boolean {
    return this.members.has(keyOf(path));
  }

  get size(): number {
    return this.members.size;
  }

  get empty(): boolean {
    return this.members.size === 0;
  }

  paths(): FieldPath[] {
    return [...this.members.values()];
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.paths(), ...other.paths()]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => other.has(p)));
  }

  /** Whether the set holds `path` itself or anything beneath it. */
  covers(path: FieldPath): boolean {
    return this.paths().some((p) => p.length >= path.length && path.every((e, i) => p[i] === e));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && this.paths().every((p) => other.has(p));
  }

  /** The FieldsV1 tree: `"."` marks a node that is itself a member and has children. */
  toFieldsV1(): JsonObject {
    const root: Node = { self: false, children: new Map() };
    for (const p of this.paths()) {
      let n = root;
      for (const e of p) {
        let c = n.children.get(e);
        if (!c) n.children.set(e, (c = { self: false, children: new Map() }));
        n = c;
      }
      n.self = true;
    }
    return encode(root);
  }

  static fromFieldsV1(fields: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, path: PathElement[]) => {
      if (!isObject(node)) throw badRequest(`invalid fieldsV1 at ${pathString(path) || "<root>"}`);
      const keys = Object.keys(node);
      if (path.length > 0 && (keys.length === 0 || keys.includes("."))) s.insert(path);
      for (const k of keys) if (k !== ".") walk(node[k], [...path, k]);
    };
    walk(fields ?? {}, []);
    return s;
  }
}

interface Node {
  self: boolean;
  children: Map<PathElement, Node>;
}

const kindRank: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Fields first by name, then keys, values and indices: the order Kubernetes serializes. */
function comparePathElements(a: PathElement, b: PathElement): number {
  const r = (kindRank[a[0]] ?? 9) - (kindRank[b[0]] ?? 9);
  if (r !== 0) return r;
  if (a[0] === "i") return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function encode(n: Node): JsonObject {
  const out: JsonObject = {};
  if (n.self && n.children.size > 0) out["."] = {};
  for (const k of [...n.children.keys()].sort(comparePathElements)) out[k] = encode(n.children.get(k)!);
  return out;
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields in name order. */
export function keyElement(key: Record<string, unknown>): PathElement {
  const sorted: JsonObject = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return `k:${JSON.stringify(sorted)}`;
}

/** `.spec.containers[name="web"].image`, as Kubernetes prints paths in conflicts. */
export function pathString(path: FieldPath): string {
  return path
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const key = JSON.parse(body) as JsonObject;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}
