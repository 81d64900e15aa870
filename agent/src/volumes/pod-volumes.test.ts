import { mkdtemp, readFile, readlink, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigMap, Pod } from "../../../src/schema/core.js";
import { containerBinds, VolumeManager, volumeHostPaths } from "./pod-volumes.js";

function podWith(volumes: Pod["spec"]["volumes"]): Pod {
  return { metadata: { name: "p", namespace: "ns", uid: "uid-1" }, spec: { containers: [], volumes } };
}

describe("volumeHostPaths and containerBinds", () => {
  it("places volumes in the kubelet layout and binds content volumes read-only", () => {
    const pod = podWith([
      { name: "cache", emptyDir: {} },
      { name: "cfg", configMap: { name: "c" } },
      { name: "logs", hostPath: { path: "/var/log" } },
    ]);
    const located = volumeHostPaths(pod, "/state");
    if (!located.ok) throw new Error(located.message);
    expect(located.paths.get("cfg")!.hostPath).toBe("/state/pods/uid-1/volumes/kubernetes.io~configmap/cfg");
    const binds = containerBinds(
      {
        name: "c",
        volumeMounts: [
          { name: "cache", mountPath: "/cache" },
          { name: "cfg", mountPath: "/etc/app" },
          { name: "cfg", mountPath: "/etc/one.conf", subPath: "one.conf" },
          { name: "logs", mountPath: "/host-logs", readOnly: true },
        ],
      },
      located.paths,
    );
    expect(binds).toEqual([
      "/state/pods/uid-1/volumes/kubernetes.io~empty-dir/cache:/cache:rw",
      "/state/pods/uid-1/volumes/kubernetes.io~configmap/cfg:/etc/app:ro",
      "/state/pods/uid-1/volumes/kubernetes.io~configmap/cfg/one.conf:/etc/one.conf:ro",
      "/var/log:/host-logs:ro",
    ]);
  });

  it("refuses volume types this node cannot provide", () => {
    const located = volumeHostPaths(podWith([{ name: "data", persistentVolumeClaim: { claimName: "x" } }]), "/state");
    expect(located).toMatchObject({ ok: false, message: expect.stringContaining("persistentVolumeClaim") });
  });
});

const temporary: string[] = [];
async function stateDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kubeflare-volumes-"));
  temporary.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

describe("VolumeManager", () => {
  it("writes ConfigMap files atomically and rewrites them when the ConfigMap changes", async () => {
    const stateDir = await stateDirectory();
    const manager = new VolumeManager(stateDir);
    const pod = podWith([{ name: "cfg", configMap: { name: "c" } }, { name: "scratch", emptyDir: {} }]);
    const configMap = (data: Record<string, string>): ConfigMap => ({ metadata: { name: "c" }, data });
    const sources = (cm: ConfigMap) => ({ pod, configMaps: new Map([["c", cm]]), secrets: new Map(), nodeName: "n" });

    const first = await manager.prepare(pod, sources(configMap({ a: "1", b: "2" })));
    if (!first.ok) throw new Error(first.message);
    const dir = first.paths.get("cfg")!.hostPath;
    expect(await readFile(join(dir, "a"), "utf8")).toBe("1");
    expect(await readlink(join(dir, "a"))).toBe("..data/a");

    await manager.prepare(pod, sources(configMap({ a: "changed" })));
    expect(await readFile(join(dir, "a"), "utf8")).toBe("changed");
    const entries = (await readdir(dir)).filter((name) => !name.startsWith(".."));
    expect(entries).toEqual(["a"]);
    const payloads = (await readdir(dir)).filter((name) => name.startsWith("..") && name !== "..data");
    expect(payloads).toHaveLength(1);

    const scratch = await stat(first.paths.get("scratch")!.hostPath);
    expect(scratch.mode & 0o777).toBe(0o777);

    await manager.removePod("uid-1");
    await expect(stat(join(stateDir, "pods", "uid-1"))).rejects.toThrow();
  });

  it("reports a missing ConfigMap as a mount failure", async () => {
    const manager = new VolumeManager(await stateDirectory());
    const pod = podWith([{ name: "cfg", configMap: { name: "missing" } }]);
    const result = await manager.prepare(pod, { pod, configMaps: new Map(), secrets: new Map(), nodeName: "n" });
    expect(result).toEqual({ ok: false, message: 'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found' });
  });
});
