/**
 * Service environment variables, Docker-links style, as the kubelet sets them
 * (pkg/kubelet/envvars and kubelet_pods.go getServiceEnvVarMap): for each
 * Service with a cluster IP in the pod's namespace, `<SVC>_SERVICE_HOST`,
 * `<SVC>_SERVICE_PORT[_<NAME>]` and the `<SVC>_PORT*` family. Pure.
 */
import type { Service } from "../../../src/schema/core.js";

export interface EnvVar {
  name: string;
  value: string;
}

/** Services whose variables every pod gets, even with enableServiceLinks: false (the apiserver's own). */
const MASTER_SERVICES = new Set(["kubernetes"]);
const MASTER_NAMESPACE = "default";

/**
 * The variables for a pod in `namespace`. `services` may hold every
 * namespace's Services: the `kubernetes` Service of `default` is always
 * included, the pod's own namespace's only when `enableServiceLinks` (the
 * default) is on, and a same-named Service in the pod's namespace wins.
 */
export function serviceEnvironment(services: Service[], namespace: string, enableServiceLinks = true): EnvVar[] {
  const chosen = new Map<string, Service>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    const name = service.metadata.name ?? "";
    const serviceNamespace = service.metadata.namespace ?? "";
    if (serviceNamespace === namespace && enableServiceLinks) chosen.set(name, service);
    else if (serviceNamespace === MASTER_NAMESPACE && MASTER_SERVICES.has(name) && !chosen.has(name)) chosen.set(name, service);
  }
  return [...chosen.values()]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .flatMap(variablesOf);
}

function hasClusterIP(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? "";
  return ip !== "" && ip !== "None";
}

/** `my-svc` → `MY_SVC`. */
export function environmentName(name: string): string {
  return name.replace(/-/g, "_").toUpperCase();
}

function variablesOf(service: Service): EnvVar[] {
  const prefix = environmentName(service.metadata.name ?? "");
  const ip = service.spec!.clusterIP!;
  const ports = service.spec?.ports ?? [];
  const result: EnvVar[] = [{ name: `${prefix}_SERVICE_HOST`, value: ip }];
  if (ports.length > 0) result.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
  for (const port of ports) {
    if (port.name) result.push({ name: `${prefix}_SERVICE_PORT_${environmentName(port.name)}`, value: String(port.port) });
  }
  const host = ip.includes(":") ? `[${ip}]` : ip;
  ports.forEach((port, index) => {
    const protocol = port.protocol ?? "TCP";
    const url = `${protocol.toLowerCase()}://${host}:${port.port}`;
    // Docker links name the first port's URL without a port suffix.
    if (index === 0) result.push({ name: `${prefix}_PORT`, value: url });
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    result.push(
      { name: portPrefix, value: url },
      { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
      { name: `${portPrefix}_PORT`, value: String(port.port) },
      { name: `${portPrefix}_ADDR`, value: ip },
    );
  });
  return result;
}

/**
 * The container's resolved environment with the service variables added
 * under it: a variable the container defines itself keeps its value.
 */
export function withServiceEnvironment(env: [string, string][], serviceEnv: EnvVar[]): [string, string][] {
  const defined = new Set(env.map(([name]) => name));
  return [...serviceEnv.filter((variable) => !defined.has(variable.name)).map((variable): [string, string] => [variable.name, variable.value]), ...env];
}
