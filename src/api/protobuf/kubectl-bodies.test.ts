/**
 * Every body kubectl 1.32 was captured sending as protobuf decodes to the
 * JSON the same command sends when it speaks JSON (kubectl 1.31).
 */
import { describe, expect, it } from "vitest";
import { decodeProtobufObject } from "./index.js";
import { hex } from "./testdata/encoder.js";
import { KUBECTL_BODIES } from "./testdata/kubectl-bodies.js";

const decode = (file: keyof typeof KUBECTL_BODIES) => decodeProtobufObject(hex(KUBECTL_BODIES[file]));

describe("decodeProtobufObject on kubectl's bodies", () => {
  it("kubectl create namespace", () => {
    // decoded.txt shows "team-a"; the captured .bin carries "team-b".
    expect(decode("api-v1-namespaces.bin")).toEqual({
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: "team-b", creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  it("kubectl create configmap --from-literal", () => {
    expect(decode("api-v1-namespaces-default-configmaps.bin")).toEqual({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "app-cfg", creationTimestamp: null },
      data: { key1: "val1", key2: "v2" },
    });
  });

  it("kubectl create secret generic: raw bytes become base64, empty type is dropped", () => {
    expect(decode("api-v1-namespaces-default-secrets.bin")).toEqual({
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "db", creationTimestamp: null },
      data: { password: btoa("s3cr3t") },
    });
  });

  it("kubectl create serviceaccount", () => {
    expect(decode("api-v1-namespaces-default-serviceaccounts.bin")).toEqual({
      kind: "ServiceAccount",
      apiVersion: "v1",
      metadata: { name: "sa1", creationTimestamp: null },
    });
  });

  it("kubectl create service clusterip", () => {
    expect(decode("api-v1-namespaces-default-services.bin")).toEqual({
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "s2", creationTimestamp: null, labels: { app: "s2" } },
      spec: {
        ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }],
        selector: { app: "s2" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    });
  });

  it("kubectl create deployment --replicas=2", () => {
    expect(decode("apis-apps-v1-namespaces-default-deployments.bin")).toEqual({
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "d2", creationTimestamp: null, labels: { app: "d2" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "d2" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "d2" } },
          spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it("kubectl create job", () => {
    expect(decode("apis-batch-v1-namespaces-default-jobs.bin")).toEqual({
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: { name: "j1", creationTimestamp: null },
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: { containers: [{ name: "j1", image: "busybox", resources: {} }], restartPolicy: "Never" },
        },
      },
      status: {},
    });
  });

  it("kubectl auth can-i list pods: allowed:false is kept, as Go writes it", () => {
    expect(decode("apis-authorization-v1-selfsubjectaccessreviews.bin")).toEqual({
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: "default", verb: "list", resource: "pods" } },
      status: { allowed: false },
    });
  });

  it("puts kind and apiVersion first, like kubectl's JSON", () => {
    expect(Object.keys(decode("api-v1-namespaces.bin")).slice(0, 2)).toEqual(["kind", "apiVersion"]);
  });
});
