/**
 * Shared helpers for Durable Object tests: authenticated calls through the
 * Worker, simulated nodes that report their pods Running and Ready, and
 * driving alarms by hand until the controllers settle.
 */
import { SELF, env as testEnv, runDurableObjectAlarm } from "cloudflare:test";
import type { Env } from "../../src/env.js";

export const env = testEnv as unknown as Env;
export const TOKEN = "test-admin-token";

export async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await SELF.fetch(`https://kubeflare.test${path}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

export const mergePatch = { "content-type": "application/merge-patch+json" };

export const storeStub = (name: string) => env.STORE.get(env.STORE.idFromName(name));

/** Runs the alarms of the given stores until none has work due (bounded). */
export async function settle(namespaces: string[], rounds = 60): Promise<void> {
  const stubs = [storeStub("cluster"), ...namespaces.map((ns) => storeStub(`ns:${ns}`))];
  for (let i = 0; i < rounds; i++) {
    let ran = false;
    for (const s of stubs) ran = (await runDurableObjectAlarm(s)) || ran;
    if (!ran) return;
  }
}

export async function createNode(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string> } = {}) {
  const now = new Date().toISOString();
  const allocatable = { cpu: opts.cpu ?? "4", memory: opts.memory ?? "8Gi", pods: opts.pods ?? "110" };
  const r = await call("POST", "/api/v1/nodes", {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(opts.labels ?? {}) } },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: now, lastTransitionTime: now }],
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
    },
  });
  if (r.status !== 201) throw new Error(`node create failed: ${r.text}`);
  await heartbeat(name);
  return r.body;
}

export async function heartbeat(name: string, at = new Date()) {
  const body = {
    metadata: { name, namespace: "kube-node-lease" },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: at.toISOString().replace("Z", "000Z").replace(/\.(\d{3})000Z$/, ".$1000Z") },
  };
  const existing = await call("GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);
  if (existing.status === 404) await call("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", body);
  else await call("PUT", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, { ...existing.body, spec: body.spec });
}

/** A simulated kubelet: every pod bound to `node` in `namespace` reports Running and Ready. */
export async function reportPodsReady(node: string, namespace: string, ready = true) {
  await heartbeat(node);
  const pods = (await call("GET", `/api/v1/namespaces/${namespace}/pods?fieldSelector=spec.nodeName%3D${node}`)).body.items;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const items = pods
    .filter((p: any) => !p.metadata.deletionTimestamp)
    .map((p: any) => ({
      namespace,
      name: p.metadata.name,
      uid: p.metadata.uid,
      status: {
        phase: "Running",
        podIP: "10.244.0.10",
        hostIP: "10.0.0.1",
        startTime: now,
        conditions: [
          { type: "PodScheduled", status: "True", lastTransitionTime: now },
          { type: "Initialized", status: "True", lastTransitionTime: now },
          { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: now },
          { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now },
        ],
        containerStatuses: p.spec.containers.map((c: any) => ({
          name: c.name,
          ready,
          restartCount: 0,
          image: c.image,
          imageID: `docker://sha256:${"0".repeat(64)}`,
          state: { running: { startedAt: now } },
        })),
      },
    }));
  if (items.length) await call("POST", `/kubeflare/v1/nodes/${node}/podstatus`, { items });
  // A kubelet finishes graceful deletions once containers are gone.
  for (const p of pods.filter((p: any) => p.metadata.deletionTimestamp))
    await call("DELETE", `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}`, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
}
