/**
 * The OpenAPI v3 surface kubectl fetches: `GET /openapi/v3` (an index of
 * group-versions) and `GET /openapi/v3/<api/v1|apis/g/v>` (one document per
 * group-version). Documents are built on first request and kept for the life
 * of the isolate: they depend only on code, and kubectl asks for them before
 * every `apply`.
 */
import { groupVersions, resourceTypes } from "../../schema/registry.js";
import { componentNameOf } from "./component-names.js";
import { allComponents, componentClosure, deleteOptionsComponent, patchComponent, statusComponent } from "./components.js";
import { contentHash } from "./content-hash.js";
import { resourcePaths } from "./paths.js";

export interface OpenAPIDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, object>;
  components: { schemas: Record<string, object> };
}

interface Built {
  document: OpenAPIDocument;
  /** The serialized document; serve this instead of re-stringifying. */
  text: string;
  hash: string;
}

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise: the index key. */
export const openapiPath = (g: { group: string; version: string }) =>
  g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`;

const built = new Map<string, Built | null>();

function build(gvPath: string): Built | null {
  const types = resourceTypes.filter((t) => openapiPath(t) === gvPath);
  if (!types.length) return null;
  const all = allComponents();
  const known = (g: { group: string; version: string; kind: string }) => componentNameOf(g.group, g.version, g.kind) in all;

  const paths: Record<string, object> = {};
  const roots = [patchComponent, statusComponent, deleteOptionsComponent];
  for (const t of types) {
    Object.assign(paths, resourcePaths(t, known));
    roots.push(componentNameOf(t.group, t.version, t.kind), componentNameOf(t.group, t.version, `${t.kind}List`));
    for (const sub of t.subresources) if (known(sub)) roots.push(componentNameOf(sub.group, sub.version, sub.kind));
  }
  const document: OpenAPIDocument = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths,
    components: { schemas: componentClosure(roots) },
  };
  const text = JSON.stringify(document);
  return { document, text, hash: contentHash(text) };
}

function lookup(gv: string): Built | undefined {
  const key = gv.replace(/^\/+|\/+$/g, "");
  if (!built.has(key)) built.set(key, build(key));
  return built.get(key) ?? undefined;
}

/** The document for `api/v1` or `apis/<group>/<version>`; undefined for a group-version we do not serve. */
export function openapiForGroupVersion(gv: string): OpenAPIDocument | undefined {
  return lookup(gv)?.document;
}

/** The same document serialized, with its content hash (for ETag / the index's `?hash=`). */
export function openapiDocumentText(gv: string): { text: string; hash: string } | undefined {
  const b = lookup(gv);
  return b && { text: b.text, hash: b.hash };
}

let index: { paths: Record<string, { serverRelativeURL: string }> } | undefined;

/** `GET /openapi/v3`: every served group-version with the URL (and content hash) of its document. */
export function openapiIndex(): { paths: Record<string, { serverRelativeURL: string }> } {
  if (!index) {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const g of groupVersions()) {
      const key = openapiPath(g);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${lookup(key)!.hash}` };
    }
    index = { paths };
  }
  return index;
}
