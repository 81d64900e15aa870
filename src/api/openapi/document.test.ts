import { describe, expect, it } from "vitest";
import { groupVersion, groupVersions, resourceTypes } from "../../schema/registry.js";
import { contentHash } from "./content-hash.js";
import { openapiDocumentText, openapiForGroupVersion, openapiIndex, openapiPath } from "./document.js";

type Doc = Record<string, any>;
const methods = ["get", "put", "post", "patch", "delete"] as const;

function operations(doc: Doc): { path: string; method: string; op: Doc }[] {
  return Object.entries<Doc>(doc.paths).flatMap(([path, item]) =>
    methods.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

const gvkOf = (t: { group: string; version: string; kind: string }) => ({ group: t.group, version: t.version, kind: t.kind });

describe("GET /openapi/v3 index", () => {
  it("lists every group-version of the registry with a hashed serverRelativeURL", () => {
    const index = openapiIndex();
    const expected = groupVersions().map(openapiPath);
    expect(Object.keys(index.paths).sort()).toEqual([...expected].sort());
    expect(expected).toContain("api/v1");
    expect(expected).toContain("apis/apps/v1");
    for (const key of expected) {
      const { text, hash } = openapiDocumentText(key)!;
      expect(index.paths[key].serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${hash}`);
      expect(hash).toMatch(/^[0-9A-F]{16}$/);
      expect(hash).toBe(contentHash(text));
    }
  });

  it("hashes differ between documents and are stable across calls", () => {
    const hashes = Object.keys(openapiIndex().paths).map((k) => openapiDocumentText(k)!.hash);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(openapiDocumentText("api/v1")!.hash).toBe(contentHash(JSON.stringify(openapiForGroupVersion("api/v1"))));
    expect(contentHash("a")).not.toBe(contentHash("b"));
  });
});

describe("GET /openapi/v3/<gv> documents", () => {
  it("answers only for served group-versions, with or without a leading slash", () => {
    expect(openapiForGroupVersion("apis/nope.example.com/v1")).toBeUndefined();
    expect(openapiForGroupVersion("/api/v1")).toBe(openapiForGroupVersion("api/v1"));
    const doc = openapiForGroupVersion("apis/apps/v1")!;
    expect(doc.openapi).toBe("3.0.0");
    expect(doc.info.title).toBeTruthy();
  });

  it("every kind has a PATCH operation with its GVK and a fieldValidation parameter, and so does every other PATCH for it", () => {
    // Access reviews are create-only: they have no PATCH.
    for (const t of resourceTypes.filter((t) => t.verbs.includes("patch"))) {
      const doc = openapiForGroupVersion(openapiPath(t)) as Doc;
      const patches = operations(doc).filter((o) => o.method === "patch");
      const forKind = patches.filter((o) => JSON.stringify(o.op["x-kubernetes-group-version-kind"]) === JSON.stringify(gvkOf(t)));
      expect(forKind.length, `${groupVersion(t)} ${t.kind}`).toBeGreaterThan(0);
      // kubectl stops at the first PATCH it meets for the GVK (map order), so all must declare it.
      for (const { op } of patches) {
        const names = op.parameters.map((p: Doc) => p.name);
        expect(names).toEqual(expect.arrayContaining(["fieldValidation", "fieldManager", "dryRun", "force"]));
        expect(op.parameters.find((p: Doc) => p.name === "fieldValidation").in).toBe("query");
        expect(Object.keys(op.requestBody.content).sort()).toEqual([
          "application/apply-patch+yaml",
          "application/json-patch+json",
          "application/merge-patch+json",
        ]);
      }
    }
  });

  it("every operation carries x-kubernetes-action and a GVK of plain strings", () => {
    for (const key of Object.keys(openapiIndex().paths)) {
      for (const { path, op } of operations(openapiForGroupVersion(key) as Doc)) {
        expect(op["x-kubernetes-action"], path).toMatch(/^(get|list|post|put|patch|delete|deletecollection)$/);
        const gvk = op["x-kubernetes-group-version-kind"];
        expect(Object.keys(gvk).sort()).toEqual(["group", "kind", "version"]);
        expect(Object.values(gvk).every((v) => typeof v === "string")).toBe(true);
      }
    }
  });

  it("has namespaced and cluster-scoped collection, item and subresource paths", () => {
    const core = openapiForGroupVersion("api/v1") as Doc;
    const pods = core.paths["/api/v1/namespaces/{namespace}/pods"];
    expect(pods.get["x-kubernetes-action"]).toBe("list");
    expect(pods.post["x-kubernetes-action"]).toBe("post");
    expect(pods.delete["x-kubernetes-action"]).toBe("deletecollection");
    const pod = core.paths["/api/v1/namespaces/{namespace}/pods/{name}"];
    expect(Object.keys(pod).filter((k) => k !== "parameters").sort()).toEqual(["delete", "get", "patch", "put"]);
    expect(core.paths["/api/v1/pods"].get.operationId).toBe("listCoreV1PodForAllNamespaces");
    expect(core.paths["/api/v1/nodes/{name}"].patch.operationId).toBe("patchCoreV1Node");
    expect(core.paths["/api/v1/namespaces/{namespace}/nodes"]).toBeUndefined();
    expect(core.paths["/api/v1/nodes/{name}/status"].patch["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Node" });
    expect(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/log"].get.responses["200"].content["text/plain"]).toBeDefined();
    expect(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"].post["x-kubernetes-group-version-kind"]).toEqual({
      group: "policy",
      version: "v1",
      kind: "Eviction",
    });
    const apps = openapiForGroupVersion("apis/apps/v1") as Doc;
    const scale = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
    expect(scale.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(scale.get.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/io.k8s.api.autoscaling.v1.Scale");
    for (const t of resourceTypes) {
      const doc = openapiForGroupVersion(openapiPath(t)) as Doc;
      for (const sub of t.subresources) {
        expect(Object.keys(doc.paths).some((p) => p.endsWith(`/${t.resource}/{name}/${sub.name}`)), `${t.resource}/${sub.name}`).toBe(true);
      }
    }
  });

  it("every $ref resolves inside its own document, and only OpenAPI 3.0 keywords remain", () => {
    for (const key of Object.keys(openapiIndex().paths)) {
      const doc = openapiForGroupVersion(key) as Doc;
      const refs: string[] = [];
      const keys = new Set<string>();
      const visit = (n: unknown): void => {
        if (Array.isArray(n)) return n.forEach(visit);
        if (!n || typeof n !== "object") return;
        for (const [k, v] of Object.entries(n)) {
          keys.add(k);
          if (k === "$ref") refs.push(v as string);
          else visit(v);
        }
      };
      visit(doc);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref).toMatch(/^#\/components\/schemas\//);
        expect(doc.components.schemas[ref.slice("#/components/schemas/".length)], `${key}: ${ref}`).toBeDefined();
      }
      for (const bad of ["$id", "$schema", "propertyNames", "const", "$defs", "definitions"]) expect(keys.has(bad), `${key}: ${bad}`).toBe(false);
    }
  });

  it("names components the upstream way, with one GVK-tagged schema per kind and list", () => {
    const core = (openapiForGroupVersion("api/v1") as Doc).components.schemas;
    expect(core["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "", kind: "Pod", version: "v1" }]);
    expect(core["io.k8s.api.core.v1.PodList"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "", kind: "PodList", version: "v1" }]);
    expect(core["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeDefined();
    expect(core["io.k8s.api.core.v1.Container"]).toBeDefined();
    const apps = (openapiForGroupVersion("apis/apps/v1") as Doc).components.schemas;
    expect(apps["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "Deployment", version: "v1" }]);
    expect(apps["io.k8s.api.apps.v1.Deployment"].properties.spec.allOf[0].$ref).toBe("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
    for (const key of Object.keys(openapiIndex().paths)) {
      const schemas = (openapiForGroupVersion(key) as Doc).components.schemas;
      const tags = Object.values<Doc>(schemas).flatMap((s) => (s["x-kubernetes-group-version-kind"] ?? []).map((g: Doc) => `${g.group}/${g.version}/${g.kind}`));
      expect(new Set(tags).size, key).toBe(tags.length);
    }
  });

  it("keeps the Kubernetes extensions set in zod meta", () => {
    const schemas = (openapiForGroupVersion("api/v1") as Doc).components.schemas;
    expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["x-kubernetes-int-or-string"]).toBe(true);
    expect(schemas["io.k8s.api.core.v1.Container"].properties.securityContext["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(schemas["io.k8s.api.core.v1.ContainerPort"].properties.containerPort).toEqual({
      type: "integer",
      description: "Port the container listens on.",
    });
  });
});

describe("io.k8s.api.core.v1.Pod through $refs", () => {
  it("reaches spec.containers[].image with its description and type", () => {
    const schemas = (openapiForGroupVersion("api/v1") as Doc).components.schemas;
    const deref = (s: Doc): Doc => (s.allOf?.[0]?.$ref ? schemas[s.allOf[0].$ref.split("/").pop()] : s);
    const spec = deref(schemas["io.k8s.api.core.v1.Pod"].properties.spec);
    expect(spec.properties.containers.type).toBe("array");
    expect(spec.required).toContain("containers");
    const container = deref(spec.properties.containers.items);
    expect(container.properties.image).toEqual({ description: "Container image name.", type: "string" });
    expect(container.required).toEqual(["name"]);
    expect(container.additionalProperties).toBeUndefined();
  });
});
