import { describe, expect, it } from "vitest";
import type { ConfigMap, Container, Pod, Secret } from "../../src/schema/core.js";
import { expandVariables, resolveEnv, type EnvSources } from "./env.js";

const pod: Pod = {
  metadata: { name: "web-1", namespace: "shop", uid: "u-1", labels: { app: "web" } },
  spec: { containers: [], nodeName: "node-a", serviceAccountName: "default" },
};
const configMap: ConfigMap = { metadata: { name: "settings", namespace: "shop" }, data: { MODE: "fast", LEVEL: "3" } };
const secret: Secret = { metadata: { name: "creds", namespace: "shop" }, data: { PASSWORD: Buffer.from("hunter2").toString("base64") } };

function sources(overrides: Partial<EnvSources> = {}): EnvSources {
  return {
    pod,
    configMaps: new Map([["settings", configMap]]),
    secrets: new Map([["creds", secret]]),
    podIP: "172.17.0.5",
    hostIP: "10.0.0.2",
    nodeName: "node-a",
    ...overrides,
  };
}

function envOf(container: Partial<Container>, s = sources()) {
  const result = resolveEnv({ name: "c", ...container }, s);
  if (!result.ok) throw new Error(result.message);
  return Object.fromEntries(result.env);
}

describe("resolveEnv", () => {
  it("resolves values, ConfigMap and Secret keys and the downward API", () => {
    expect(
      envOf({
        env: [
          { name: "PLAIN", value: "x" },
          { name: "MODE", valueFrom: { configMapKeyRef: { name: "settings", key: "MODE" } } },
          { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "PASSWORD" } } },
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
          { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        ],
      }),
    ).toEqual({
      PLAIN: "x",
      MODE: "fast",
      PASSWORD: "hunter2",
      POD_NAME: "web-1",
      POD_NAMESPACE: "shop",
      POD_IP: "172.17.0.5",
      HOST_IP: "10.0.0.2",
      NODE: "node-a",
      APP: "web",
    });
  });

  it("applies envFrom with prefixes first and lets env override it", () => {
    expect(
      envOf({
        envFrom: [{ configMapRef: { name: "settings" } }, { prefix: "S_", secretRef: { name: "creds" } }],
        env: [{ name: "MODE", value: "slow" }],
      }),
    ).toEqual({ MODE: "slow", LEVEL: "3", S_PASSWORD: "hunter2" });
  });

  it("expands references to variables defined earlier", () => {
    expect(
      envOf({
        envFrom: [{ configMapRef: { name: "settings" } }],
        env: [
          { name: "A", value: "a-$(MODE)" },
          { name: "B", value: "$(A)/$(LATER)/$$(A)" },
          { name: "LATER", value: "z" },
        ],
      }),
    ).toMatchObject({ A: "a-fast", B: "a-fast/$(LATER)/$(A)" });
  });

  it("reports missing ConfigMaps, Secrets and keys as CreateContainerConfigError", () => {
    const missingMap = resolveEnv(
      { name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }] },
      sources(),
    );
    expect(missingMap).toEqual({ ok: false, reason: "CreateContainerConfigError", message: 'configmap "nope" not found' });
    const missingKey = resolveEnv(
      { name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "creds", key: "nope" } } }] },
      sources(),
    );
    expect(missingKey).toMatchObject({ ok: false, message: "couldn't find key nope in Secret shop/creds" });
    const missingFrom = resolveEnv({ name: "c", envFrom: [{ secretRef: { name: "gone" } }] }, sources());
    expect(missingFrom).toMatchObject({ ok: false, message: 'secret "gone" not found' });
  });

  it("skips optional references that do not resolve", () => {
    expect(
      envOf({
        envFrom: [{ configMapRef: { name: "gone", optional: true } }],
        env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "settings", key: "nope", optional: true } } }],
      }),
    ).toEqual({});
  });

  it("reads resource limits through resourceFieldRef", () => {
    expect(
      envOf({
        resources: { limits: { cpu: "1500m", memory: "64Mi" } },
        env: [
          { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
          { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
        ],
      }),
    ).toEqual({ CPU: "2", MEM_MI: "64" });
  });
});

describe("expandVariables", () => {
  const lookup = (name: string) => ({ A: "1" })[name];
  it("handles edge cases like Kubernetes", () => {
    expect(expandVariables("$(A)$(B)", lookup)).toBe("1$(B)");
    expect(expandVariables("$$(A)", lookup)).toBe("$(A)");
    expect(expandVariables("cost: $5 $", lookup)).toBe("cost: $5 $");
    expect(expandVariables("$(A", lookup)).toBe("$(A");
  });
});
