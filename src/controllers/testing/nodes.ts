/**
 * Fixture builders for node-side controller tests (scheduler, node
 * lifecycle, DaemonSet, endpoints): nodes as an agent registers them, their
 * Leases, and pods with just the fields those controllers read. Defaults
 * describe a healthy 4-cpu / 8Gi node and an unbound single-container pod.
 */
import type { Container, Node, Pod, Taint, Toleration } from "../../schema/core.js";
import type { Lease } from "../../schema/networking.js";
import type { OwnerReference } from "../../schema/meta.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

let uidCounter = 0;
export const nextUid = (prefix = "uid") => `${prefix}-${(++uidCounter).toString().padStart(6, "0")}`;

export interface NodeOptions {
  cpu?: string | number;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Ready condition status; null leaves the condition out (a node that never reported). */
  ready?: "True" | "False" | "Unknown" | null;
  /** Ready condition lastHeartbeatTime (ms). */
  heartbeat?: number;
  unschedulable?: boolean;
  deleting?: boolean;
  created?: number;
  resourceVersion?: string;
}

export function testNode(name: string, o: NodeOptions = {}): Node {
  const ready = o.ready === undefined ? "True" : o.ready;
  const heartbeat = iso(o.heartbeat ?? T0);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      uid: `node-uid-${name}`,
      resourceVersion: o.resourceVersion ?? "1",
      creationTimestamp: iso(o.created ?? T0 - 3_600_000),
      labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", ...o.labels },
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: {
      ...(o.unschedulable ? { unschedulable: true } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
    },
    status: {
      capacity: { cpu: String(o.cpu ?? "4"), memory: o.memory ?? "8Gi", pods: String(o.pods ?? 110) },
      allocatable: { cpu: String(o.cpu ?? "4"), memory: o.memory ?? "8Gi", pods: String(o.pods ?? 110) },
      conditions:
        ready === null
          ? []
          : [
              {
                type: "Ready",
                status: ready,
                reason: ready === "True" ? "KubeletReady" : "KubeletNotReady",
                message: ready === "True" ? "kubelet is posting ready status" : "",
                lastHeartbeatTime: heartbeat,
                lastTransitionTime: iso(T0 - 3_600_000),
              },
            ],
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
    },
  };
}

export function testLease(nodeName: string, renewTime: number): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: nodeName, namespace: "kube-node-lease", resourceVersion: "1" },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new Date(renewTime).toISOString() },
  };
}

export interface PodOptions {
  namespace?: string;
  uid?: string;
  nodeName?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  owner?: OwnerReference;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  affinity?: NonNullable<Pod["spec"]>["affinity"];
  hostPort?: number;
  containers?: Container[];
  initContainers?: Container[];
  ready?: boolean;
  /** When Ready last changed (ms). */
  readySince?: number;
  podIP?: string;
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  deleting?: boolean;
  created?: number;
  priority?: number;
  hostname?: string;
  subdomain?: string;
}

export function testPod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const container: Container = {
    name: "app",
    image: "nginx:1.27",
    ...(o.cpu || o.memory ? { resources: { requests } } : {}),
    ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort, protocol: "TCP" as const }] } : {}),
  };
  const ready = o.ready ?? false;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: o.uid ?? `pod-uid-${name}`,
      resourceVersion: "1",
      creationTimestamp: iso(o.created ?? T0 - 60_000),
      labels: o.labels ?? {},
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      containers: o.containers ?? [container],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? (o.nodeName ? "Running" : "Pending"),
      ...(o.podIP ? { podIP: o.podIP, podIPs: [{ ip: o.podIP }] } : {}),
      conditions: o.nodeName
        ? [
            {
              type: "Ready",
              status: ready ? "True" : "False",
              lastTransitionTime: iso(o.readySince ?? T0 - 30_000),
            },
          ]
        : [],
    },
  };
}

/** A controller ownerReference, as a ReplicaSet or DaemonSet sets it. */
export function ownedBy(kind: string, name: string, uid: string, apiVersion = "apps/v1"): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}
