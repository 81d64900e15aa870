import { describe, expect, it } from "vitest";
import type { ConfigMap, Pod, Secret } from "../../../src/schema/core.js";
import { invalidPath, projectConfigMap, projectDownwardAPI, projectProjected, projectSecret, type ProjectionSources } from "./projection.js";

const pod: Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u", labels: { b: "2", a: "1" } },
  spec: { containers: [] },
};
const configMap: ConfigMap = {
  metadata: { name: "cfg" },
  data: { "app.conf": "x=1", other: "y" },
  binaryData: { blob: Buffer.from([0, 1, 2]).toString("base64") },
};
const secret: Secret = { metadata: { name: "s" }, data: { token: Buffer.from("t0k").toString("base64") } };
const sources: ProjectionSources = {
  pod,
  configMaps: new Map([["cfg", configMap]]),
  secrets: new Map([["s", secret]]),
  podIP: "172.17.0.9",
  nodeName: "n",
};

const text = (projection: ReturnType<typeof projectConfigMap>) => {
  if (!projection.ok) throw new Error(projection.message);
  return projection.files.map((f) => [f.path, f.data.toString("utf8"), f.mode.toString(8)]);
};

describe("configMap volumes", () => {
  it("projects every key with the default mode 0644, binaryData decoded", () => {
    const projection = projectConfigMap({ name: "cfg" }, sources);
    expect(text(projection)).toEqual([
      ["app.conf", "x=1", "644"],
      ["other", "y", "644"],
      ["blob", "\u0000\u0001\u0002", "644"],
    ]);
  });

  it("projects only the listed items, at their paths and modes", () => {
    const projection = projectConfigMap(
      { name: "cfg", defaultMode: 0o600, items: [{ key: "app.conf", path: "conf/app.conf" }, { key: "other", path: "o", mode: 0o400 }] },
      sources,
    );
    expect(text(projection)).toEqual([
      ["conf/app.conf", "x=1", "600"],
      ["o", "y", "400"],
    ]);
  });

  it("fails for a missing ConfigMap or key unless optional", () => {
    expect(projectConfigMap({ name: "gone" }, sources)).toEqual({ ok: false, message: 'configmap "gone" not found' });
    expect(projectConfigMap({ name: "gone", optional: true }, sources)).toEqual({ ok: true, files: [] });
    expect(projectConfigMap({ name: "cfg", items: [{ key: "nope", path: "n" }] }, sources)).toMatchObject({ ok: false });
  });

  it("rejects escaping paths", () => {
    expect(invalidPath("../etc/passwd")).toMatch(/\.\./);
    expect(invalidPath("/abs")).toMatch(/relative/);
    expect(invalidPath("a/b")).toBeUndefined();
  });
});

describe("secret volumes", () => {
  it("decodes data", () => {
    expect(text(projectSecret({ secretName: "s", defaultMode: 0o400 }, sources))).toEqual([["token", "t0k", "400"]]);
  });
});

describe("downwardAPI and projected volumes", () => {
  it("writes fields and label maps", () => {
    const projection = projectDownwardAPI(
      {
        items: [
          { path: "name", fieldRef: { fieldPath: "metadata.name" } },
          { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
        ],
      },
      sources,
    );
    expect(text(projection)).toEqual([
      ["name", "p", "644"],
      ["labels", 'a="1"\nb="2"', "644"],
    ]);
  });

  it("merges sources and skips service account tokens", () => {
    const projection = projectProjected(
      {
        sources: [
          { serviceAccountToken: { path: "token" } },
          { configMap: { name: "cfg", items: [{ key: "other", path: "other" }] } },
          { secret: { name: "s" } },
        ],
      },
      sources,
    );
    expect(text(projection)).toEqual([
      ["other", "y", "644"],
      ["token", "t0k", "644"],
    ]);
  });
});
