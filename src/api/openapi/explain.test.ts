/**
 * Walks the served documents the way `kubectl explain` does (kubectl
 * pkg/explain/v2/templates/plaintext.tmpl): GVK from the resource's paths,
 * the component carrying that GVK, then the field path through properties,
 * array items, map values and allOf, resolving `#/components/schemas/...`
 * JSON pointers. Go template truthiness applies: empty maps/strings are false.
 */
import { describe, expect, it } from "vitest";
import { openapiForGroupVersion, openapiIndex } from "./document.js";

type Doc = Record<string, any>;

const truthy = (v: unknown) =>
  v !== undefined && v !== null && v !== false && v !== "" && v !== 0 && !(typeof v === "object" && Object.keys(v).length === 0);

/** resolveRef in kubectl's funcs.go: a fragment-only JSON pointer walked through the document's maps. */
function resolveRef(ref: unknown, doc: Doc): Doc | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#")) return undefined;
  let cur: any = doc;
  for (const k of ref.slice(1).split("/")) {
    if (!k) continue;
    cur = cur?.[k];
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
  }
  return cur;
}

function typeGuess(s: Doc, doc: Doc): string {
  if (truthy(s.items)) return `[]${typeGuess(s.items, doc)}`;
  if (truthy(s.additionalProperties) && typeof s.additionalProperties !== "boolean") return `map[string]${typeGuess(s.additionalProperties, doc)}`;
  if (truthy(s.allOf) && !truthy(s.properties) && s.allOf.length === 1) return typeGuess(s.allOf[0], doc);
  if (truthy(s.$ref)) {
    const target = resolveRef(s.$ref, doc);
    if (!target || !truthy(target.type) || target.type === "object") return String(s.$ref).split("/").pop()!.split(".").pop() || "Object";
    return target.type;
  }
  return s.type === "object" ? "Object" : s.type || "Object";
}

/** The template's "description" include: own description, then allOf/items/map members'. */
function description(s: Doc, doc: Doc): string[] {
  const r = resolveRef(s.$ref, doc) ?? s;
  const out = truthy(r.description) ? [r.description as string] : [];
  for (const m of r.allOf ?? []) out.push(...description(m, doc));
  if (truthy(r.items)) out.push(...description(r.items, doc));
  if (truthy(r.additionalProperties) && typeof r.additionalProperties !== "boolean") out.push(...description(r.additionalProperties, doc));
  return out;
}

interface Field { name: string; type: string; required: boolean; description?: string }

function fieldList(s: Doc, doc: Doc): Field[] {
  const r = resolveRef(s.$ref, doc) ?? s;
  const out: Field[] = Object.entries<Doc>(r.properties ?? {}).map(([name, f]) => ({
    name,
    type: typeGuess(f, doc),
    required: (r.required ?? []).includes(name),
    description: f.description,
  }));
  for (const m of r.allOf ?? []) out.push(...fieldList(m, doc));
  if (truthy(r.items)) out.push(...fieldList(r.items, doc));
  if (truthy(r.additionalProperties) && typeof r.additionalProperties !== "boolean") out.push(...fieldList(r.additionalProperties, doc));
  return out;
}

interface Explained { kind: string; fieldType?: string; description: string[]; fields: Field[] }

/** The template's "output" walk; undefined where explain says `field "x" does not exist`. */
function output(s: Doc, path: string[], doc: Doc, fieldType?: string): Omit<Explained, "kind"> | undefined {
  const r = resolveRef(s.$ref, doc) ?? s;
  if (!path.length) return { fieldType, description: description(r, doc), fields: fieldList(r, doc) };
  if (truthy(r.properties) && truthy(r.properties[path[0]])) {
    const sub = r.properties[path[0]];
    return output(sub, path.slice(1), doc, path.length === 1 ? typeGuess(sub, doc) : undefined);
  }
  if (truthy(r.items)) return output(r.items, path, doc, fieldType);
  if (truthy(r.additionalProperties) && typeof r.additionalProperties !== "boolean") return output(r.additionalProperties, path, doc, fieldType);
  for (const m of r.allOf ?? []) {
    const o = output(m, path, doc, fieldType);
    if (o) return o;
  }
  return undefined;
}

/** reflect.DeepEqual on two decoded JSON maps: key order does not matter. */
const sameMap = (a: Doc, b: Doc) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

function explain(group: string, version: string, resource: string, fieldPath: string[]): Explained | undefined {
  const gvPath = group ? `apis/${group}/${version}` : `api/${version}`;
  const url = openapiIndex().paths[gvPath]?.serverRelativeURL;
  expect(url).toBeDefined();
  const doc: Doc = JSON.parse(JSON.stringify(openapiForGroupVersion(url!.slice("/openapi/v3/".length).split("?")[0])));
  const prefix = group ? `/apis/${group}` : "/api";
  const searches = [
    `${prefix}/${version}/${resource}`,
    `${prefix}/${version}/${resource}/{name}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}/{name}`,
  ];
  let gvk: Doc | undefined;
  for (const p of searches) {
    for (const m of ["get", "post", "put", "patch", "delete"]) gvk ??= doc.paths[p]?.[m]?.["x-kubernetes-group-version-kind"];
  }
  if (!gvk) throw new Error(`GVR ${gvPath}/${resource} not found in OpenAPI schema`);
  const names = Object.keys(doc.components.schemas).sort();
  const name = names.find((n) =>
    (doc.components.schemas[n]["x-kubernetes-group-version-kind"] ?? []).some((g: Doc) => sameMap(g, gvk!)),
  );
  if (!name) throw new Error(`GVK ${JSON.stringify(gvk)} not found in OpenAPI schema`);
  const out = output(doc.components.schemas[name], fieldPath, doc);
  return out && { kind: gvk.kind, ...out };
}

const field = (e: Explained | undefined, name: string) => e?.fields.find((f) => f.name === name);

describe("kubectl explain walk over the served documents", () => {
  it("explain pod.spec.containers: []Container with described fields", () => {
    const e = explain("", "v1", "pods", ["spec", "containers"]);
    expect(e?.kind).toBe("Pod");
    expect(e?.fieldType).toBe("[]Container");
    expect(e?.description.join("\n")).toContain("List of containers belonging to the pod.");
    expect(e?.description.join("\n")).toContain("A single application container");
    expect(field(e, "image")).toMatchObject({ type: "string", description: "Container image name." });
    expect(field(e, "name")).toMatchObject({ type: "string", required: true });
    expect(field(e, "ports")?.type).toBe("[]ContainerPort");
    expect(field(e, "resources")?.type).toBe("ResourceRequirements");
    expect(field(e, "imagePullPolicy")?.type).toBe("string");
  });

  it("explain pod lists the envelope fields with their types", () => {
    const e = explain("", "v1", "pods", []);
    expect(e?.description[0]).toContain("Pod is a collection of containers");
    expect(e?.fields.map((f) => `${f.name} <${f.type}>`)).toEqual(
      expect.arrayContaining(["apiVersion <string>", "kind <string>", "metadata <ObjectMeta>", "spec <PodSpec>", "status <PodStatus>"]),
    );
    expect(field(e, "apiVersion")?.description).toMatch(/APIVersion defines/);
    // The field list shows only the property's own description, not the referenced component's.
    expect(field(e, "metadata")?.description).toBe("Standard object's metadata.");
    expect(field(e, "spec")?.description).toBeTruthy();
  });

  it("follows maps, int-or-string and nested refs", () => {
    expect(explain("", "v1", "pods", ["metadata", "labels"])?.fieldType).toBe("map[string]string");
    expect(explain("", "v1", "pods", ["spec", "containers", "resources", "limits"])?.fieldType).toBe("map[string]Quantity");
    expect(explain("apps", "v1", "deployments", ["spec", "strategy", "rollingUpdate", "maxSurge"])?.fieldType).toBe("IntOrString");
    const deep = explain("apps", "v1", "deployments", ["spec", "template", "spec", "containers"]);
    expect(deep?.kind).toBe("Deployment");
    expect(field(deep, "image")?.description).toBe("Container image name.");
    const selector = explain("apps", "v1", "deployments", ["spec", "selector"]);
    expect(selector?.fieldType).toBe("LabelSelector");
    expect(selector?.description[0]).toMatch(/must match the template's labels/);
  });

  it("finds cluster-scoped kinds and other groups", () => {
    expect(field(explain("", "v1", "nodes", ["spec"]), "unschedulable")?.type).toBe("boolean");
    expect(field(explain("batch", "v1", "cronjobs", ["spec"]), "schedule")).toMatchObject({ required: true, type: "string" });
    expect(explain("networking.k8s.io", "v1", "ingresses", ["spec", "rules"])?.fieldType).toBe("[]IngressRule");
  });

  it("reports a missing field as not found", () => {
    expect(explain("", "v1", "pods", ["spec", "containerz"])).toBeUndefined();
  });
});
