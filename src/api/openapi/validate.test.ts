import { describe, expect, it } from "vitest";
import { invalid } from "../../errors.js";
import { findKind } from "../../schema/registry.js";
import { validateObject } from "./validate.js";

const pods = findKind("v1", "Pod")!;
const deployments = findKind("apps/v1", "Deployment")!;
const pod = (container: Record<string, unknown>, metadata: Record<string, unknown> = { name: "p" }) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata,
  spec: { containers: [{ name: "c", image: "nginx", ...container }] },
});

describe("validateObject", () => {
  it("returns no causes for a valid object", () => {
    expect(validateObject(pods, pod({}))).toEqual([]);
  });

  it("reports a missing required field as FieldValueRequired", () => {
    const o = { metadata: { name: "p" }, spec: { containers: [{ image: "nginx" }] } };
    expect(validateObject(pods, o)).toEqual([{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].name" }]);
    const d = { metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "c" }] } } } };
    expect(validateObject(deployments, d)).toEqual([{ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" }]);
  });

  it("reports an enum miss as FieldValueNotSupported listing the supported values", () => {
    expect(validateObject(pods, pod({ imagePullPolicy: "Sometimes" }))).toEqual([
      {
        reason: "FieldValueNotSupported",
        message: 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        field: "spec.containers[0].imagePullPolicy",
      },
    ]);
    expect(validateObject(pods, { ...pod({}), apiVersion: "v2" })).toEqual([
      { reason: "FieldValueNotSupported", message: 'Unsupported value: "v2": supported values: "v1"', field: "apiVersion" },
    ]);
  });

  it("reports wrong types as FieldValueTypeInvalid", () => {
    expect(validateObject(pods, pod({ ports: [{ containerPort: "80" }, { containerPort: 1.5 }] }))).toEqual([
      { reason: "FieldValueTypeInvalid", message: 'Invalid value: "80": must be of type number', field: "spec.containers[0].ports[0].containerPort" },
      { reason: "FieldValueTypeInvalid", message: "Invalid value: 1.5: must be of type integer", field: "spec.containers[0].ports[1].containerPort" },
    ]);
    expect(validateObject(pods, pod({ livenessProbe: { httpGet: { port: true } } }))).toEqual([
      {
        reason: "FieldValueTypeInvalid",
        message: "Invalid value: true: must be of type number or string",
        field: "spec.containers[0].livenessProbe.httpGet.port",
      },
    ]);
  });

  it("brackets map keys in field paths", () => {
    const causes = validateObject(pods, pod({ resources: { limits: { cpu: true } } }, { name: "p", labels: { app: 7 } }));
    expect(causes.map((c) => c.field)).toEqual(["metadata.labels[app]", "spec.containers[0].resources.limits[cpu]"]);
    expect(causes[0]).toMatchObject({ reason: "FieldValueTypeInvalid", message: "Invalid value: 7: must be of type string" });
  });

  it("feeds invalid() the causes kubectl prints", () => {
    const causes = validateObject(pods, { metadata: { name: "p" }, spec: { containers: [{ image: "x", imagePullPolicy: "No" }] } });
    const err = invalid("Pod", "p", causes);
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].imagePullPolicy: Unsupported value: "No": supported values: "Always", "IfNotPresent", "Never"]',
    );
    expect(err.details?.causes?.map((c) => c.reason)).toEqual(["FieldValueRequired", "FieldValueNotSupported"]);
  });
});
