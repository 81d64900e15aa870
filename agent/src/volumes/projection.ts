/**
 * The files a configMap, secret, downwardAPI or projected volume should hold,
 * computed from the objects alone (pure). atomic-writer.ts puts them on disk.
 */
import type { ConfigMap, Volume } from "../../../src/schema/core.js";
import { resolveFieldRef, secretEntries, type EnvSources } from "../env.js";

export interface ProjectedFile {
  /** Relative path inside the volume. */
  path: string;
  data: Buffer;
  mode: number;
}

export type Projection = { ok: true; files: ProjectedFile[] } | { ok: false; message: string };

/** What a projection may read besides the volume source: what a container's environment may read. */
export type ProjectionSources = EnvSources;

const DEFAULT_MODE = 0o644;

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** Maps key/value entries through `items` (or all keys) into files. */
function projectEntries(
  entries: [string, Buffer][],
  items: KeyToPath[] | undefined,
  defaultMode: number,
  describe: (key: string) => string,
  optional: boolean,
): Projection {
  const byKey = new Map(entries);
  const files: ProjectedFile[] = [];
  if (!items || items.length === 0) {
    for (const [key, data] of entries) files.push({ path: key, data, mode: defaultMode });
    return { ok: true, files };
  }
  for (const item of items) {
    const data = byKey.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      return { ok: false, message: describe(item.key) };
    }
    const invalid = invalidPath(item.path);
    if (invalid) return { ok: false, message: invalid };
    files.push({ path: item.path, data, mode: item.mode ?? defaultMode });
  }
  return { ok: true, files };
}

/** Kubernetes rejects absolute paths and '..' elements in volume item paths. */
export function invalidPath(path: string): string | undefined {
  if (path === "" || path.startsWith("/")) return `invalid path "${path}": must be a relative path`;
  if (path.split("/").includes("..")) return `invalid path "${path}": must not contain '..'`;
  return undefined;
}

function configMapEntries(configMap: ConfigMap): [string, Buffer][] {
  const entries: [string, Buffer][] = Object.entries(configMap.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "utf8")]);
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) entries.push([key, Buffer.from(value, "base64")]);
  return entries;
}

export function projectConfigMap(source: NonNullable<Volume["configMap"]>, sources: ProjectionSources): Projection {
  const name = source.name ?? "";
  const configMap = sources.configMaps.get(name);
  if (!configMap) {
    return source.optional ? { ok: true, files: [] } : { ok: false, message: `configmap "${name}" not found` };
  }
  return projectEntries(
    configMapEntries(configMap),
    source.items,
    source.defaultMode ?? DEFAULT_MODE,
    (key) => `configmap references non-existent config key: ${key}`,
    !!source.optional,
  );
}

export function projectSecret(source: NonNullable<Volume["secret"]>, sources: ProjectionSources): Projection {
  const name = source.secretName ?? "";
  const secret = sources.secrets.get(name);
  if (!secret) {
    return source.optional ? { ok: true, files: [] } : { ok: false, message: `secret "${name}" not found` };
  }
  return projectEntries(
    secretEntries(secret),
    source.items,
    source.defaultMode ?? DEFAULT_MODE,
    (key) => `references non-existent secret key: ${key}`,
    !!source.optional,
  );
}

interface DownwardAPIItem {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: Record<string, unknown>;
  mode?: number;
}

export function projectDownwardAPI(
  source: { items?: DownwardAPIItem[]; defaultMode?: number },
  sources: ProjectionSources,
): Projection {
  const files: ProjectedFile[] = [];
  for (const item of source.items ?? []) {
    const invalid = invalidPath(item.path);
    if (invalid) return { ok: false, message: invalid };
    const fieldPath = item.fieldRef?.fieldPath;
    if (!fieldPath) continue;
    let value: string | undefined;
    if (fieldPath === "metadata.labels" || fieldPath === "metadata.annotations") {
      const map = sources.pod.metadata[fieldPath === "metadata.labels" ? "labels" : "annotations"] ?? {};
      value = Object.keys(map)
        .sort()
        .map((key) => `${key}=${JSON.stringify(map[key])}`)
        .join("\n");
    } else {
      value = resolveFieldRef(fieldPath, sources);
    }
    if (value === undefined) return { ok: false, message: `unsupported fieldPath: ${fieldPath}` };
    files.push({ path: item.path, data: Buffer.from(value, "utf8"), mode: item.mode ?? source.defaultMode ?? DEFAULT_MODE });
  }
  return { ok: true, files };
}

/**
 * A projected volume merges its sources. serviceAccountToken sources are left
 * out: this control plane issues no tokens yet.
 */
export function projectProjected(source: Record<string, unknown>, sources: ProjectionSources): Projection {
  const defaultMode = (source.defaultMode as number | undefined) ?? DEFAULT_MODE;
  const files: ProjectedFile[] = [];
  for (const entry of (source.sources as Record<string, any>[] | undefined) ?? []) {
    let projection: Projection | undefined;
    if (entry.configMap) projection = projectConfigMap({ defaultMode, ...entry.configMap }, sources);
    else if (entry.secret) projection = projectSecret({ defaultMode, secretName: entry.secret.name, ...entry.secret }, sources);
    else if (entry.downwardAPI) projection = projectDownwardAPI({ defaultMode, ...entry.downwardAPI }, sources);
    if (!projection) continue;
    if (!projection.ok) return projection;
    files.push(...projection.files);
  }
  return { ok: true, files };
}
