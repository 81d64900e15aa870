/**
 * Environment of a container as the kubelet builds it: envFrom first, then
 * env in order (later wins), with $(VAR) references expanded against what is
 * already defined. Pure: every input is passed in.
 */
import type { ConfigMap, Container, Pod, Secret } from "../../src/schema/core.js";
import { cpuMillis, memoryBytes } from "./quantity.js";

export interface EnvSources {
  pod: Pod;
  /** ConfigMaps and Secrets in the pod's namespace, by name. */
  configMaps: ReadonlyMap<string, ConfigMap>;
  secrets: ReadonlyMap<string, Secret>;
  podIP?: string;
  hostIP?: string;
  nodeName: string;
}

export type EnvResult = { ok: true; env: [string, string][] } | { ok: false; reason: string; message: string };

/** Resolves the container's environment, or the CreateContainerConfigError the kubelet would report. */
export function resolveEnv(container: Container, sources: EnvSources): EnvResult {
  const env = new Map<string, string>();
  const namespace = sources.pod.metadata.namespace ?? "default";
  try {
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? "";
      if (from.configMapRef) {
        const configMap = sources.configMaps.get(from.configMapRef.name);
        if (!configMap) {
          if (from.configMapRef.optional) continue;
          throw new ConfigError(`configmap "${from.configMapRef.name}" not found`);
        }
        for (const [key, value] of Object.entries(configMap.data ?? {})) setVariable(env, prefix + key, value);
      }
      if (from.secretRef) {
        const secret = sources.secrets.get(from.secretRef.name);
        if (!secret) {
          if (from.secretRef.optional) continue;
          throw new ConfigError(`secret "${from.secretRef.name}" not found`);
        }
        for (const [key, value] of secretEntries(secret)) setVariable(env, prefix + key, value.toString("utf8"));
      }
    }
    for (const variable of container.env ?? []) {
      const value = variable.valueFrom
        ? valueFrom(variable.valueFrom, container, sources, namespace)
        : expandVariables(variable.value ?? "", (name) => env.get(name));
      if (value !== undefined) env.set(variable.name, value);
    }
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: "CreateContainerConfigError", message: error.message };
    throw error;
  }
  return { ok: true, env: [...env] };
}

class ConfigError extends Error {}

function setVariable(env: Map<string, string>, name: string, value: string) {
  // Names that cannot be environment variables are skipped, as the kubelet does.
  if (name === "" || name.includes("=")) return;
  env.set(name, value);
}

type ValueFrom = NonNullable<NonNullable<Container["env"]>[number]["valueFrom"]>;

function valueFrom(source: ValueFrom, container: Container, sources: EnvSources, namespace: string): string | undefined {
  if (source.configMapKeyRef) {
    const { name = "", key, optional } = source.configMapKeyRef;
    const configMap = sources.configMaps.get(name);
    if (!configMap) {
      if (optional) return undefined;
      throw new ConfigError(`configmap "${name}" not found`);
    }
    const value = configMap.data?.[key];
    if (value === undefined) {
      if (optional) return undefined;
      throw new ConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    }
    return value;
  }
  if (source.secretKeyRef) {
    const { name = "", key, optional } = source.secretKeyRef;
    const secret = sources.secrets.get(name);
    if (!secret) {
      if (optional) return undefined;
      throw new ConfigError(`secret "${name}" not found`);
    }
    const value = new Map(secretEntries(secret)).get(key);
    if (value === undefined) {
      if (optional) return undefined;
      throw new ConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
    }
    return value.toString("utf8");
  }
  if (source.fieldRef) {
    const value = resolveFieldRef(source.fieldRef.fieldPath, sources);
    if (value === undefined) throw new ConfigError(`unsupported fieldPath: ${source.fieldRef.fieldPath}`);
    return value;
  }
  if (source.resourceFieldRef) return resolveResourceFieldRef(source.resourceFieldRef, container);
  return undefined;
}

/** The downward API's fieldRef values. */
export function resolveFieldRef(fieldPath: string, sources: Omit<EnvSources, "configMaps" | "secrets">): string | undefined {
  const { pod } = sources;
  const mapEntry = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (mapEntry) return pod.metadata[mapEntry[1] as "labels" | "annotations"]?.[mapEntry[2]] ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "default";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "spec.nodeName":
      return pod.spec.nodeName ?? sources.nodeName;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "";
    case "status.podIP":
    case "status.podIPs":
      return sources.podIP ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return sources.hostIP ?? "";
    default:
      return undefined;
  }
}

function resolveResourceFieldRef(ref: Record<string, unknown>, container: Container): string {
  const resource = String(ref.resource ?? "");
  const [kind, name] = resource.split(".") as [string, string];
  const quantity = (kind === "limits" ? container.resources?.limits : container.resources?.requests)?.[name];
  if (quantity === undefined) return "0";
  const divisor = ref.divisor === undefined ? undefined : String(ref.divisor);
  if (name === "cpu") {
    const millis = cpuMillis(quantity);
    return String(Math.ceil(millis / (divisor ? cpuMillis(divisor) : 1000)));
  }
  return String(Math.ceil(memoryBytes(quantity) / (divisor ? memoryBytes(divisor) : 1)));
}

/** Secret values are base64 in `data`; `stringData` is plain and wins. */
export function secretEntries(secret: Secret): [string, Buffer][] {
  const entries = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) entries.set(key, Buffer.from(value, "base64"));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) entries.set(key, Buffer.from(value, "utf8"));
  return [...entries];
}

/**
 * Kubernetes' $(VAR) expansion: a defined variable is replaced, an undefined
 * reference is left as written, and $$ escapes a $.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = "";
  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (char !== "$" || i + 1 >= input.length) {
      output += char;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      output += "$";
      i++;
    } else if (next === "(") {
      const end = input.indexOf(")", i + 2);
      if (end === -1) {
        output += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = lookup(name);
      output += value ?? `$(${name})`;
      i = end;
    } else {
      output += char;
    }
  }
  return output;
}
