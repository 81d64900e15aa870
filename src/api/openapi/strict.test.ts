import { describe, expect, it } from "vitest";
import { findKind } from "../../schema/registry.js";
import { findUnknownFields, strictDecodingError } from "./strict.js";

const kind = (apiVersion: string, k: string) => findKind(apiVersion, k)!;
const pods = kind("v1", "Pod");
const deployments = kind("apps/v1", "Deployment");

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "p" }) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata,
  spec,
});

describe("findUnknownFields", () => {
  it("accepts a manifest that only uses declared fields, status included", () => {
    const o = pod(
      { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }] }] },
      { name: "p", namespace: "default", labels: { app: "web", "app.kubernetes.io/name": "x" }, annotations: { "a/b": "c" } },
    );
    expect(findUnknownFields(pods, { ...o, status: { phase: "Running", podIP: "10.0.0.1" } })).toEqual([]);
  });

  it("reports a typo inside an array element with its index", () => {
    const o = pod({ containers: [{ name: "a", image: "x" }, { name: "b", imagee: "nginx" }] });
    expect(findUnknownFields(pods, o)).toEqual(["spec.containers[1].imagee"]);
  });

  it("reports through nested arrays and refs", () => {
    const o = pod({ containers: [{ name: "a", ports: [{ containerPort: 80 }, { containerPortt: 81 }], env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "a", bogus: 1 } } }] }] });
    expect(findUnknownFields(pods, o)).toEqual(["spec.containers[0].ports[1].containerPortt", "spec.containers[0].env[0].valueFrom.fieldRef.bogus"]);
  });

  it("reports unknown metadata and top-level fields, but not map keys", () => {
    const o = { ...pod({ containers: [{ name: "a" }] }, { name: "p", foo: 1, labels: { anything: "goes" } }), spek: {} };
    expect(findUnknownFields(pods, o)).toEqual(["metadata.foo", "spek"]);
  });

  it("reports an undeclared subtree once, at its root", () => {
    const o = pod({ containers: [{ name: "a" }], extra: { deep: { deeper: 1 } } });
    expect(findUnknownFields(pods, o)).toEqual(["spec.extra"]);
  });

  it("lets x-kubernetes-preserve-unknown-fields subtrees and resource maps through", () => {
    const o = pod({
      containers: [{ name: "a", securityContext: { runAsNonRoot: true, anything: { at: "all" } }, resources: { limits: { cpu: "1", "nvidia.com/gpu": 1 } } }],
      securityContext: { fsGroup: 2000 },
      nodeSelector: { "kubernetes.io/os": "linux" },
    });
    expect(findUnknownFields(pods, o)).toEqual([]);
  });

  it("walks through a Deployment's pod template", () => {
    const o = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "a", operator: "In", values: ["b"], valuess: [] }] },
        strategy: { rollingUpdate: { maxSurge: "25%" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", imagee: "nginx" }] } },
      },
    };
    expect(findUnknownFields(deployments, o)).toEqual([
      "spec.selector.matchExpressions[0].valuess",
      "spec.template.spec.containers[0].imagee",
    ]);
  });

  it("accepts arbitrary keys in ConfigMap data", () => {
    const cm = kind("v1", "ConfigMap");
    expect(findUnknownFields(cm, { metadata: { name: "c" }, data: { "any.key": "v" }, binaryDate: {} })).toEqual(["binaryDate"]);
  });

  it("checks subresource bodies against their own kind", () => {
    const scale = deployments.subresources.find((s) => s.name === "scale")!;
    const body = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 3, replica: 1 }, status: { replicas: 2, selector: "app=web" } };
    expect(findUnknownFields(scale, body)).toEqual(["spec.replica"]);
    expect(findUnknownFields({ group: "example.com", version: "v1", kind: "Widget" }, { anything: 1 })).toEqual([]);
  });

  it("ignores values that are not objects where objects are expected (type errors are validation's job)", () => {
    expect(findUnknownFields(pods, pod({ containers: "oops" }))).toEqual([]);
    expect(findUnknownFields(pods, null)).toEqual([]);
  });
});

describe("strictDecodingError", () => {
  it("builds the API server's 400 BadRequest Status", () => {
    const err = strictDecodingError(deployments, ["spec.foo", "spec.bar"]);
    expect(err.code).toBe(400);
    expect(err.reason).toBe("BadRequest");
    expect(err.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    );
    expect(err.toStatus()).toMatchObject({ kind: "Status", status: "Failure", code: 400, reason: "BadRequest" });
  });
});
