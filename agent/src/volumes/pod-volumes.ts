/**
 * A pod's volumes on this node: where each lives on the host (under the
 * state dir, in the kubelet's own layout), making them exist with the right
 * content, and the Docker binds each container gets.
 */
import { createHash } from "node:crypto";
import { mkdir, rm, stat, writeFile, chmod } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import type { Container, Pod, Volume } from "../../../src/schema/core.js";
import { writeAtomically } from "./atomic-writer.js";
import {
  projectConfigMap,
  projectDownwardAPI,
  projectProjected,
  projectSecret,
  type Projection,
  type ProjectionSources,
} from "./projection.js";

export type VolumeKind = "empty-dir" | "configmap" | "secret" | "downward-api" | "projected" | "host-path";

export interface VolumeHostPath {
  kind: VolumeKind;
  hostPath: string;
  /** Content volumes are mounted read-only, as Kubernetes does. */
  readOnly: boolean;
}

export function podDirectory(stateDir: string, podUid: string): string {
  return join(stateDir, "pods", podUid);
}

function volumeKind(volume: Volume): VolumeKind | undefined {
  if (volume.emptyDir) return "empty-dir";
  if (volume.configMap) return "configmap";
  if (volume.secret) return "secret";
  if (volume.downwardAPI) return "downward-api";
  if (volume.projected) return "projected";
  if (volume.hostPath) return "host-path";
  return undefined;
}

/** Where each of the pod's volumes lives on the host, or why a volume cannot exist here. */
export function volumeHostPaths(
  pod: Pod,
  stateDir: string,
): { ok: true; paths: Map<string, VolumeHostPath> } | { ok: false; message: string } {
  const paths = new Map<string, VolumeHostPath>();
  for (const volume of pod.spec.volumes ?? []) {
    const kind = volumeKind(volume);
    if (!kind) {
      const type = Object.keys(volume).find((key) => key !== "name") ?? "unknown";
      return { ok: false, message: `volume "${volume.name}": ${type} volumes are not supported on this node` };
    }
    if (kind === "host-path") {
      paths.set(volume.name, { kind, hostPath: volume.hostPath!.path, readOnly: false });
      continue;
    }
    const hostPath = join(podDirectory(stateDir, pod.metadata.uid!), "volumes", `kubernetes.io~${kind}`, volume.name);
    paths.set(volume.name, { kind, hostPath, readOnly: kind !== "empty-dir" });
  }
  return { ok: true, paths };
}

/** Docker binds for a container's volumeMounts ("host:container:ro|rw"). */
export function containerBinds(container: Container, paths: ReadonlyMap<string, VolumeHostPath>): string[] {
  const binds: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = paths.get(mount.name);
    if (!volume) continue;
    const source = mount.subPath ? posix.join(volume.hostPath, mount.subPath) : volume.hostPath;
    const readOnly = mount.readOnly || volume.readOnly;
    binds.push(`${source}:${mount.mountPath}:${readOnly ? "ro" : "rw"}`);
  }
  return binds;
}

function projectionOf(volume: Volume, sources: ProjectionSources): Projection | undefined {
  if (volume.configMap) return projectConfigMap(volume.configMap, sources);
  if (volume.secret) return projectSecret(volume.secret, sources);
  if (volume.downwardAPI) return projectDownwardAPI(volume.downwardAPI as Parameters<typeof projectDownwardAPI>[0], sources);
  if (volume.projected) return projectProjected(volume.projected, sources);
  return undefined;
}

function contentHash(projection: Extract<Projection, { ok: true }>): string {
  const hash = createHash("sha256");
  for (const file of projection.files) hash.update(`${file.path}\0${file.mode}\0`).update(file.data).update("\0");
  return hash.digest("hex");
}

/**
 * Brings volumes on disk in line with the pod and the objects it references.
 * Content is rewritten only when it changed (kept as a hash per directory), so
 * calling this on every sync is cheap and picks up ConfigMap/Secret edits.
 */
export class VolumeManager {
  private readonly written = new Map<string, string>();

  constructor(private readonly stateDir: string) {}

  async prepare(
    pod: Pod,
    sources: ProjectionSources,
  ): Promise<{ ok: true; paths: Map<string, VolumeHostPath> } | { ok: false; message: string }> {
    const located = volumeHostPaths(pod, this.stateDir);
    if (!located.ok) return located;
    for (const volume of pod.spec.volumes ?? []) {
      const target = located.paths.get(volume.name)!;
      if (target.kind === "empty-dir") {
        // World-writable like the kubelet's, so non-root containers can use it.
        await mkdir(target.hostPath, { recursive: true });
        await chmod(target.hostPath, 0o777);
        continue;
      }
      if (target.kind === "host-path") {
        const problem = await prepareHostPath(target.hostPath, volume.hostPath!.type ?? "");
        if (problem) return { ok: false, message: `MountVolume.SetUp failed for volume "${volume.name}" : ${problem}` };
        continue;
      }
      const projection = projectionOf(volume, sources)!;
      if (!projection.ok) {
        return { ok: false, message: `MountVolume.SetUp failed for volume "${volume.name}" : ${projection.message}` };
      }
      const hash = contentHash(projection);
      if (this.written.get(target.hostPath) === hash) continue;
      await writeAtomically(target.hostPath, projection.files);
      this.written.set(target.hostPath, hash);
    }
    return located;
  }

  /** Removes everything the pod had under the state dir (emptyDir data included), as the kubelet does on pod removal. */
  async removePod(podUid: string): Promise<void> {
    const directory = podDirectory(this.stateDir, podUid);
    for (const key of this.written.keys()) if (key.startsWith(directory + "/")) this.written.delete(key);
    await rm(directory, { recursive: true, force: true });
  }
}

async function prepareHostPath(path: string, type: string): Promise<string | undefined> {
  const existing = await stat(path).catch(() => undefined);
  switch (type) {
    case "DirectoryOrCreate":
      if (!existing) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!existing.isDirectory()) return `hostPath type check failed: ${path} is not a directory`;
      return undefined;
    case "FileOrCreate":
      if (!existing) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, "", { mode: 0o644 });
      } else if (!existing.isFile()) return `hostPath type check failed: ${path} is not a file`;
      return undefined;
    case "Directory":
      return existing?.isDirectory() ? undefined : `hostPath type check failed: ${path} is not a directory`;
    case "File":
      return existing?.isFile() ? undefined : `hostPath type check failed: ${path} is not a file`;
    case "Socket":
      return existing?.isSocket() ? undefined : `hostPath type check failed: ${path} is not a socket file`;
    case "CharDevice":
      return existing?.isCharacterDevice() ? undefined : `hostPath type check failed: ${path} is not a character device`;
    case "BlockDevice":
      return existing?.isBlockDevice() ? undefined : `hostPath type check failed: ${path} is not a block device`;
    default:
      return undefined;
  }
}
