/**
 * Docker create bodies for a pod's sandbox (infra) container and its app and
 * init containers (pure). App containers join the sandbox's network and IPC
 * namespaces, so a pod's containers share localhost and one IP, as in
 * Kubernetes.
 */
import type { Container, Pod, Service } from "../../../src/schema/core.js";
import { containerLabels, dockerContainerName, INFRA_CONTAINER_NAME } from "../docker/labels.js";
import { expandVariables } from "../env.js";
import { podDnsHostConfig } from "../network/dns/pod-dns.js";
import { serviceEnvironment, withServiceEnvironment } from "../network/service-env.js";
import { cpuMillis, memoryBytes } from "../quantity.js";
import { containerSpecHash, podGracePeriodSeconds } from "./pod-spec.js";

export interface CreateRequest {
  name: string;
  body: Record<string, unknown>;
}

/** The kubelet's log limits, applied through Docker's json-file driver (which the logs API can read back). */
const LOG_CONFIG = { Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } };

export interface SandboxConfigInput {
  pod: Pod;
  nodeName: string;
  pauseImage: string;
  attempt: number;
  /** Docker network for pods ("bridge" by default). */
  network: string;
  /** The cluster DNS server's IP for ClusterFirst pods; unset, pods keep Docker's resolv.conf (the host's resolvers). */
  clusterDNS?: string;
  /** Cluster domain for DNS search paths; "cluster.local" when unset. */
  clusterDomain?: string;
}

export function sandboxCreateRequest(input: SandboxConfigInput): CreateRequest {
  const { pod } = input;
  const hostNetwork = !!pod.spec.hostNetwork;
  const exposedPorts: Record<string, object> = {};
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || hostNetwork) continue;
      const key = `${port.containerPort}/${(port.protocol ?? "TCP").toLowerCase()}`;
      exposedPorts[key] = {};
      (portBindings[key] ??= []).push({ HostIp: port.hostIP ?? "", HostPort: String(port.hostPort) });
    }
  }
  const extraHosts = (pod.spec.hostAliases ?? []).flatMap((alias) =>
    ((alias.hostnames as string[] | undefined) ?? []).map((hostname) => `${hostname}:${alias.ip}`),
  );
  return {
    name: dockerContainerName(pod, INFRA_CONTAINER_NAME, input.attempt),
    body: {
      Image: input.pauseImage,
      ...(hostNetwork ? {} : { Hostname: (pod.spec.hostname ?? pod.metadata.name ?? "pod").slice(0, 63) }),
      Labels: containerLabels({
        nodeName: input.nodeName,
        pod,
        role: "infra",
        containerName: INFRA_CONTAINER_NAME,
        attempt: input.attempt,
        backoffStep: 0,
        image: input.pauseImage,
        gracePeriodSeconds: podGracePeriodSeconds(pod),
      }),
      ExposedPorts: exposedPorts,
      HostConfig: {
        NetworkMode: hostNetwork ? "host" : input.network,
        PortBindings: portBindings,
        IpcMode: "shareable",
        RestartPolicy: { Name: "no" },
        ExtraHosts: extraHosts,
        LogConfig: LOG_CONFIG,
        // On the infra container only: containers that join its network namespace share its resolv.conf.
        ...podDnsHostConfig(pod, { clusterDNS: input.clusterDNS, clusterDomain: input.clusterDomain ?? "cluster.local" }),
      },
    },
  };
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  role: "init" | "app";
  attempt: number;
  backoffStep: number;
  sandboxId: string;
  nodeName: string;
  env: [string, string][];
  binds: string[];
  /**
   * Services for the service environment variables (the pod's namespace's,
   * plus default/kubernetes); unset, no service variables are added.
   */
  services?: Service[];
}

/** The kubelet's CPU request → cgroup shares conversion (minimum 2). */
export function cpuShares(container: Container): number {
  const request = container.resources?.requests?.cpu ?? container.resources?.limits?.cpu;
  if (request === undefined) return 2;
  return Math.max(2, Math.floor((cpuMillis(request) * 1024) / 1000));
}

function securityOptions(pod: Pod, container: Container) {
  const podContext = (pod.spec.securityContext ?? {}) as Record<string, any>;
  const context = (container.securityContext ?? {}) as Record<string, any>;
  const user = context.runAsUser ?? podContext.runAsUser;
  const group = context.runAsGroup ?? podContext.runAsGroup;
  const capabilities = (context.capabilities ?? {}) as { add?: string[]; drop?: string[] };
  return {
    user: user === undefined ? undefined : group === undefined ? String(user) : `${user}:${group}`,
    hostConfig: {
      Privileged: !!context.privileged,
      ReadonlyRootfs: !!context.readOnlyRootFilesystem,
      CapAdd: capabilities.add ?? [],
      CapDrop: capabilities.drop ?? [],
    },
  };
}

export function containerCreateRequest(input: ContainerConfigInput): CreateRequest {
  const { pod, container } = input;
  const env = input.services
    ? withServiceEnvironment(
        input.env,
        serviceEnvironment(input.services, pod.metadata.namespace ?? "default", pod.spec.enableServiceLinks ?? true),
      )
    : input.env;
  const envMap = new Map(env);
  const expand = (values: string[] | undefined) =>
    values && values.length > 0 ? values.map((value) => expandVariables(value, (name) => envMap.get(name))) : undefined;
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const security = securityOptions(pod, container);
  const sandbox = `container:${input.sandboxId}`;
  return {
    name: dockerContainerName(pod, container.name, input.attempt),
    body: {
      Image: container.image,
      // Kubernetes' command replaces ENTRYPOINT (and drops the image's CMD), args replace CMD;
      // Docker merges the same way when Cmd is left out.
      Entrypoint: expand(container.command),
      Cmd: expand(container.args),
      Env: env.map(([name, value]) => `${name}=${value}`),
      WorkingDir: container.workingDir ?? "",
      User: security.user,
      Tty: !!container.tty,
      OpenStdin: !!container.stdin,
      StdinOnce: !!container.stdinOnce,
      Labels: containerLabels({
        nodeName: input.nodeName,
        pod,
        role: input.role,
        containerName: container.name,
        attempt: input.attempt,
        backoffStep: input.backoffStep,
        image: container.image ?? "",
        gracePeriodSeconds: podGracePeriodSeconds(pod),
        specHash: containerSpecHash(container),
        sandboxId: input.sandboxId,
      }),
      HostConfig: {
        NetworkMode: sandbox,
        IpcMode: sandbox,
        Binds: input.binds,
        Memory: limits.memory !== undefined ? memoryBytes(limits.memory) : 0,
        MemoryReservation: requests.memory !== undefined ? memoryBytes(requests.memory) : 0,
        NanoCpus: limits.cpu !== undefined ? cpuMillis(limits.cpu) * 1_000_000 : 0,
        CpuShares: cpuShares(container),
        RestartPolicy: { Name: "no" },
        LogConfig: LOG_CONFIG,
        ...security.hostConfig,
      },
    },
  };
}
