/**
 * The Node this agent registers, built from facts about the machine (pure),
 * with conditions and capacity written the way the kubelet writes them.
 */
import type { Condition } from "../../../src/schema/meta.js";
import type { Node } from "../../../src/schema/core.js";
import { formatKibibytes } from "../quantity.js";

export interface NodeFacts {
  hostname: string;
  internalIP: string;
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the state dir. */
  ephemeralStorageBytes?: number;
  osImage: string;
  kernelVersion: string;
  /** GOARCH-style: amd64, arm64. */
  architecture: string;
  operatingSystem: string;
  dockerVersion: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  /** The node relay's port (agent/src/network/relay.ts): other nodes' proxies reach this node's pods through it. */
  relayPort?: number;
}

export interface NodeIdentity {
  nodeName: string;
  labels: Record<string, string>;
  agentVersion: string;
}

export const MAX_PODS = 110;

/** Node's process.arch → the GOARCH names Kubernetes labels use. */
export function goArch(nodeArch: string): string {
  return ({ x64: "amd64", ia32: "386", arm: "arm", arm64: "arm64", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[nodeArch] ?? nodeArch;
}

export function kubeletVersion(agentVersion: string): string {
  return `v1.32.0-kubeflare-${agentVersion}`;
}

export function nodeLabels(facts: NodeFacts, identity: NodeIdentity): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": facts.architecture,
    "beta.kubernetes.io/os": facts.operatingSystem,
    "kubernetes.io/arch": facts.architecture,
    "kubernetes.io/hostname": identity.nodeName,
    "kubernetes.io/os": facts.operatingSystem,
    ...identity.labels,
  };
}

function resources(facts: NodeFacts): Record<string, string> {
  const list: Record<string, string> = {
    cpu: String(facts.cpus),
    memory: formatKibibytes(facts.memoryBytes),
    pods: String(MAX_PODS),
  };
  if (facts.ephemeralStorageBytes) list["ephemeral-storage"] = formatKibibytes(facts.ephemeralStorageBytes);
  return list;
}

const CONDITIONS: [string, string, string, string][] = [
  ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
  ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
  ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
  ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
];

/**
 * Node status now. lastTransitionTime is kept from `previous` when a
 * condition's status did not change; lastHeartbeatTime is always now.
 */
export function nodeStatus(facts: NodeFacts, identity: NodeIdentity, now: string, previous?: Node["status"]): NonNullable<Node["status"]> {
  const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  const conditions: Condition[] = CONDITIONS.map(([type, status, reason, message]) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: before.get(type)?.status === status ? (before.get(type)?.lastTransitionTime ?? now) : now,
  }));
  return {
    capacity: resources(facts),
    allocatable: resources(facts),
    conditions,
    addresses: [
      { type: "InternalIP", address: facts.internalIP },
      { type: "Hostname", address: facts.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.relayPort ?? 0 } },
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.systemUUID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: `docker://${facts.dockerVersion}`,
      kubeletVersion: kubeletVersion(identity.agentVersion),
      kubeProxyVersion: "",
      operatingSystem: facts.operatingSystem,
      architecture: facts.architecture,
    },
  };
}

export function buildNode(facts: NodeFacts, identity: NodeIdentity, now: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: identity.nodeName, labels: nodeLabels(facts, identity) },
    spec: {},
    status: nodeStatus(facts, identity, now),
  };
}

/** Picks the node's InternalIP: the first IPv4 address of a real interface (not Docker's or other bridges). */
export function pickInternalIP(
  interfaces: Record<string, { address: string; family: string | number; internal: boolean }[] | undefined>,
): string {
  const virtual = /^(docker|br-|veth|virbr|cni|flannel|cali|vxlan|kube|lo)/;
  for (const [name, addresses] of Object.entries(interfaces)) {
    if (virtual.test(name)) continue;
    const ipv4 = addresses?.find((a) => !a.internal && (a.family === "IPv4" || a.family === 4));
    if (ipv4) return ipv4.address;
  }
  return "127.0.0.1";
}
