/**
 * A simulated kubelet for end-to-end tests that are about the control plane
 * (not about running containers): it registers a Node, renews its Lease, and
 * reports every pod bound to it Running and Ready, confirming graceful
 * deletions, over the same endpoints the real agent uses.
 */
import { api, type ControlPlane } from "./controlplane.js";

export interface SimKubelet {
  stop(): void;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export async function startSimKubelet(cp: ControlPlane, name: string, opts: { intervalMs?: number } = {}): Promise<SimKubelet> {
  const allocatable = { cpu: "8", memory: "16Gi", pods: "110" };
  const node = {
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux" } },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "simulated", lastHeartbeatTime: now(), lastTransitionTime: now() }],
      addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
      nodeInfo: { kubeletVersion: "v1.32.0-sim", osImage: "simulated", kernelVersion: "sim", containerRuntimeVersion: "sim://1", operatingSystem: "linux", architecture: "amd64" },
    },
  };
  const created = await api(cp, "POST", "/api/v1/nodes", node);
  if (created.status !== 201 && created.status !== 409) throw new Error(`node registration failed: ${created.text}`);
  let stopped = false;
  const tick = async () => {
    const lease = { metadata: { name, namespace: "kube-node-lease" }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } };
    const got = await api(cp, "GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);
    if (got.status === 404) await api(cp, "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease);
    else await api(cp, "PUT", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, { ...got.body, spec: lease.spec });
    const pods = (await api(cp, "GET", `/api/v1/pods?fieldSelector=spec.nodeName%3D${name}`)).body?.items ?? [];
    const items = pods
      .filter((p: any) => !p.metadata.deletionTimestamp && (p.status?.phase ?? "Pending") === "Pending")
      .map((p: any) => ({
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        uid: p.metadata.uid,
        status: {
          phase: "Running",
          podIP: "10.244.1.1",
          hostIP: "127.0.0.1",
          startTime: now(),
          conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: now() })),
          containerStatuses: p.spec.containers.map((c: any) => ({
            name: c.name,
            ready: true,
            started: true,
            restartCount: 0,
            image: c.image,
            imageID: `docker://sha256:${"0".repeat(64)}`,
            containerID: `docker://${"1".repeat(64)}`,
            state: { running: { startedAt: now() } },
          })),
        },
      }));
    if (items.length) await api(cp, "POST", `/kubeflare/v1/nodes/${name}/podstatus`, { items });
    for (const p of pods.filter((p: any) => p.metadata.deletionTimestamp))
      await api(cp, "DELETE", `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
  };
  const loop = async () => {
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300));
    }
  };
  void loop();
  return { stop: () => void (stopped = true) };
}
