/** Hand-built bodies for the value shapes kubectl's captures do not exercise. */
import { describe, expect, it } from "vitest";
import { decodeProtobufObject } from "./index.js";
import { bytes, concat, entry, envelope, fixed32, fixed64, int, msg, str } from "./testdata/encoder.js";

const quantity = (field: number, s: string) => msg(field, str(1, s));
const intOrStr = (field: number, v: number | string) =>
  typeof v === "number" ? msg(field, int(1, 0), int(2, v), str(3, "")) : msg(field, int(1, 1), int(2, 0), str(3, v));
const time = (field: number, seconds: number, nanos = 0) => msg(field, int(1, seconds), int(2, nanos));

describe("maps", () => {
  it("decodes map<string,string> entries, keeping empty values", () => {
    const body = envelope("v1", "ConfigMap", msg(1, str(1, "c"), entry(11, "app", "web"), entry(11, "tier", "")), entry(2, "k", ""));
    expect(decodeProtobufObject(body)).toMatchObject({
      metadata: { name: "c", labels: { app: "web", tier: "" } },
      data: { k: "" },
    });
  });

  it("keeps a \"__proto__\" key as an ordinary entry", () => {
    const decoded = decodeProtobufObject(envelope("v1", "ConfigMap", entry(2, "__proto__", "x")));
    expect(JSON.stringify(decoded.data)).toBe('{"__proto__":"x"}');
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
  });

  it("writes map<string,bytes> values as base64, binary included", () => {
    const blob = Uint8Array.from([0, 255, 16, 128]);
    const body = envelope(
      "v1",
      "ConfigMap",
      msg(3, str(1, "bin"), bytes(2, blob)),
      msg(3, str(1, "none")), // an entry with no value is the zero value
    );
    expect(decodeProtobufObject(body)).toMatchObject({ binaryData: { bin: "AP8QgA==", none: "" } });
  });

  it("decodes map<string,Quantity> in resource requirements", () => {
    const container = msg(
      2,
      str(1, "app"),
      msg(8, msg(1, str(1, "cpu"), quantity(2, "500m")), msg(2, str(1, "memory"), quantity(2, "128Mi"))),
    );
    const body = envelope("v1", "Pod", msg(2, container));
    expect(decodeProtobufObject(body)).toMatchObject({
      spec: { containers: [{ name: "app", resources: { limits: { cpu: "500m" }, requests: { memory: "128Mi" } } }] },
    });
  });
});

describe("repeated fields", () => {
  it("keeps repeated messages and strings in wire order", () => {
    const port = (n: number) => msg(6, int(3, n), str(4, "TCP"));
    const c1 = msg(2, str(1, "a"), str(3, "sh"), str(3, "-c"), str(4, "sleep 1"), port(80), port(443));
    const c2 = msg(2, str(1, "b"));
    const body = envelope("v1", "Pod", msg(2, c1, c2));
    expect(decodeProtobufObject(body)).toEqual({
      kind: "Pod",
      apiVersion: "v1",
      spec: {
        containers: [
          {
            name: "a",
            command: ["sh", "-c"],
            args: ["sleep 1"],
            ports: [
              { containerPort: 80, protocol: "TCP" },
              { containerPort: 443, protocol: "TCP" },
            ],
          },
          { name: "b" },
        ],
      },
    });
  });

  it("accepts repeated numbers both unpacked and packed", () => {
    const unpacked = msg(14, int(4, 1000), int(4, 2000));
    const packed = msg(14, bytes(4, concat(Uint8Array.from([0xe8, 0x07]), Uint8Array.from([0xd0, 0x0f]))));
    for (const sc of [unpacked, packed]) {
      const body = envelope("v1", "Pod", msg(2, sc));
      expect(decodeProtobufObject(body)).toMatchObject({ spec: { securityContext: { supplementalGroups: [1000, 2000] } } });
    }
  });
});

describe("IntOrString", () => {
  it("is a number for type 0 and a string for type 1", () => {
    const ru = msg(2, intOrStr(1, "25%"), intOrStr(2, 1));
    const body = envelope("apps/v1", "Deployment", msg(2, msg(4, str(1, "RollingUpdate"), ru)));
    expect(decodeProtobufObject(body)).toMatchObject({
      spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } } },
    });
  });

  it("decodes named and numbered probe ports", () => {
    const probe = msg(10, msg(1, msg(2, str(1, "/healthz"), intOrStr(2, "http"))), int(2, 5));
    const ready = msg(11, msg(1, msg(3, intOrStr(1, 8080))));
    const body = envelope("v1", "Pod", msg(2, msg(2, str(1, "a"), probe, ready)));
    // ProbeHandler is inlined: httpGet and tcpSocket sit beside the timings.
    expect(decodeProtobufObject(body)).toMatchObject({
      spec: {
        containers: [
          {
            livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 5 },
            readinessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
      },
    });
  });
});

describe("Quantity", () => {
  it("is its string, and the zero Quantity is \"0\"", () => {
    const vol = (name: string, ...dir: Uint8Array[]) => msg(1, str(1, name), msg(2, msg(2, ...dir)));
    const body = envelope("v1", "Pod", msg(2, vol("cache", str(1, "Memory"), quantity(2, "1Gi")), vol("tmp", msg(2))));
    expect(decodeProtobufObject(body)).toMatchObject({
      spec: {
        volumes: [
          { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
          { name: "tmp", emptyDir: { sizeLimit: "0" } },
        ],
      },
    });
  });
});

describe("Time", () => {
  it("is RFC 3339 at second precision; the empty message is null", () => {
    const meta = msg(1, str(1, "x"), time(8, 1700000000, 123456789), time(9, 0), msg(9));
    expect(decodeProtobufObject(envelope("v1", "Namespace", meta))).toMatchObject({
      metadata: { creationTimestamp: "2023-11-14T22:13:20Z", deletionTimestamp: null },
    });
    const epoch = msg(1, time(9, 0));
    expect(decodeProtobufObject(envelope("v1", "Namespace", epoch))).toMatchObject({
      metadata: { deletionTimestamp: "1970-01-01T00:00:00Z" },
    });
  });
});

describe("zero values", () => {
  it("keeps zeros that Go writes from pointers: replicas 0, automount false, grace period 0", () => {
    expect(decodeProtobufObject(envelope("apps/v1", "Deployment", msg(2, int(1, 0), int(5, 0))))).toEqual({
      kind: "Deployment",
      apiVersion: "apps/v1",
      spec: { replicas: 0 },
    });
    expect(decodeProtobufObject(envelope("v1", "ServiceAccount", int(4, false)))).toMatchObject({
      automountServiceAccountToken: false,
    });
  });

  it("decodes drain's DeleteOptions under any group version, and Eviction", () => {
    const opts = concat(int(1, 0), msg(2, str(1, "uid-1")), str(4, "Background"), str(5, "All"));
    expect(decodeProtobufObject(envelope("v1", "DeleteOptions", opts))).toEqual({
      kind: "DeleteOptions",
      apiVersion: "v1",
      gracePeriodSeconds: 0,
      preconditions: { uid: "uid-1" },
      propagationPolicy: "Background",
      dryRun: ["All"],
    });
    expect(decodeProtobufObject(envelope("meta.k8s.io/v1", "DeleteOptions", int(1, 30)))).toMatchObject({
      gracePeriodSeconds: 30,
    });
    const eviction = concat(msg(1, str(1, "web-1"), str(3, "default")), msg(2, int(1, 10)));
    expect(decodeProtobufObject(envelope("policy/v1", "Eviction", eviction))).toEqual({
      kind: "Eviction",
      apiVersion: "policy/v1",
      metadata: { name: "web-1", namespace: "default" },
      deleteOptions: { gracePeriodSeconds: 10 },
    });
  });
});

describe("embedded (inline) messages", () => {
  it("flattens LocalObjectReference, VolumeSource and IngressRuleValue into their parents", () => {
    const env = msg(7, str(1, "MODE"), msg(3, msg(3, msg(1, str(1, "cfg")), str(2, "mode"))));
    const volume = msg(1, str(1, "conf"), msg(2, msg(19, msg(1, str(1, "cfg")), int(3, 420))));
    const pod = envelope("v1", "Pod", msg(2, volume, msg(2, str(1, "a"), env)));
    expect(decodeProtobufObject(pod)).toMatchObject({
      spec: {
        volumes: [{ name: "conf", configMap: { name: "cfg", defaultMode: 420 } }],
        containers: [{ env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } }] }],
      },
    });

    const backend = msg(2, msg(4, str(1, "web"), msg(2, int(2, 80))));
    const path = msg(1, str(1, "/"), str(3, "Prefix"), backend);
    const rule = msg(3, str(1, "example.com"), msg(2, msg(1, path)));
    const ingress = envelope("networking.k8s.io/v1", "Ingress", msg(2, str(4, "nginx"), rule));
    expect(decodeProtobufObject(ingress)).toMatchObject({
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host: "example.com",
            http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] },
          },
        ],
      },
    });
  });
});

describe("other kinds", () => {
  it("decodes a RoleBinding and a CronJob", () => {
    const rb = concat(
      msg(1, str(1, "rb")),
      msg(2, str(1, "ServiceAccount"), str(3, "sa1"), str(4, "default")),
      msg(3, str(1, "rbac.authorization.k8s.io"), str(2, "ClusterRole"), str(3, "view")),
    );
    expect(decodeProtobufObject(envelope("rbac.authorization.k8s.io/v1", "RoleBinding", rb))).toMatchObject({
      subjects: [{ kind: "ServiceAccount", name: "sa1", namespace: "default" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    });
    const jobSpec = msg(2, msg(6, msg(2, msg(2, str(1, "c"), str(2, "busybox")), str(3, "OnFailure"))));
    const cron = msg(2, str(1, "*/5 * * * *"), msg(5, msg(1), jobSpec));
    expect(decodeProtobufObject(envelope("batch/v1", "CronJob", cron))).toMatchObject({
      spec: {
        schedule: "*/5 * * * *",
        jobTemplate: { metadata: {}, spec: { template: { spec: { restartPolicy: "OnFailure" } } } },
      },
    });
  });

  it("skips fields it does not know, of every wire type", () => {
    const body = envelope("v1", "Namespace", msg(1, str(1, "n"), int(99, 5), fixed32(98), fixed64(97), str(96, "?")), int(50, 1));
    expect(decodeProtobufObject(body)).toEqual({ kind: "Namespace", apiVersion: "v1", metadata: { name: "n" } });
  });

  it("parses managedFields' FieldsV1 as JSON", () => {
    const mf = msg(17, str(1, "kubectl"), str(2, "Update"), str(6, "FieldsV1"), msg(7, str(1, '{"f:data":{}}')));
    expect(decodeProtobufObject(envelope("v1", "ConfigMap", msg(1, mf)))).toMatchObject({
      metadata: { managedFields: [{ manager: "kubectl", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } }] },
    });
  });
});
