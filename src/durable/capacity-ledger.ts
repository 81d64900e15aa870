/**
 * The one authority for node capacity: every binding, from any namespace,
 * reserves its pod here first, and a reservation is granted only if the pod
 * still fits next to everything already reserved on that node. Namespace
 * stores schedule in parallel against a snapshot; the ledger settles races,
 * so no node is ever oversubscribed. Reservations are keyed by pod uid
 * (idempotent) and released when the pod is deleted or finishes.
 */
import type { KubeObject } from "../schema/meta.js";
import type { Node, Pod } from "../schema/core.js";
import { fitsOnNode } from "../controllers/scheduler/index.js";

export interface Reservation {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  /** The pod as the scheduler saw it (spec is what counts for capacity). */
  pod: KubeObject;
}

export interface ReservationResult {
  uid: string;
  granted: boolean;
  reason?: string;
}

/** Only what capacity accounting needs: requests, host ports, owner for spreading. */
export function ledgerPod(pod: KubeObject): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      uid: pod.metadata.uid,
      ownerReferences: pod.metadata.ownerReferences,
      labels: pod.metadata.labels,
    },
    spec: {
      nodeName: pod.spec?.nodeName,
      containers: (pod.spec?.containers ?? []).map((c: any) => ({ name: c.name, resources: c.resources, ports: c.ports })),
      initContainers: (pod.spec?.initContainers ?? []).map((c: any) => ({ name: c.name, resources: c.resources, restartPolicy: c.restartPolicy })),
      overhead: pod.spec?.overhead,
    },
  };
}

export class CapacityLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS reservations (
      uid TEXT PRIMARY KEY, node TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, pod TEXT NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS reservations_by_node ON reservations (node)`);
  }

  onNode(node: string): Pod[] {
    return this.sql
      .exec<{ pod: string }>("SELECT pod FROM reservations WHERE node = ?", node)
      .toArray()
      .map((r) => JSON.parse(r.pod));
  }

  all(): Pod[] {
    return this.sql
      .exec<{ pod: string }>("SELECT pod FROM reservations")
      .toArray()
      .map((r) => JSON.parse(r.pod));
  }

  reserve(requests: Reservation[], nodeByName: (name: string) => Node | undefined): ReservationResult[] {
    const perNode = new Map<string, Pod[]>();
    return requests.map((r) => {
      const existing = this.sql.exec<{ node: string }>("SELECT node FROM reservations WHERE uid = ?", r.uid).toArray()[0];
      if (existing) return { uid: r.uid, granted: existing.node === r.node, reason: existing.node === r.node ? undefined : `already reserved on ${existing.node}` };
      const node = nodeByName(r.node);
      if (!node) return { uid: r.uid, granted: false, reason: `node "${r.node}" not found` };
      const reserved = perNode.get(r.node) ?? this.onNode(r.node);
      const pod = { ...ledgerPod(r.pod), spec: { ...ledgerPod(r.pod).spec, nodeName: r.node } } as Pod;
      const fit = fitsOnNode(pod, node, reserved);
      if (!fit.fits) return { uid: r.uid, granted: false, reason: fit.reasons.join(", ") };
      this.sql.exec(
        "INSERT INTO reservations (uid, node, namespace, name, pod) VALUES (?, ?, ?, ?, ?)",
        r.uid,
        r.node,
        r.namespace,
        r.name,
        JSON.stringify(pod),
      );
      reserved.push(pod);
      perNode.set(r.node, reserved);
      return { uid: r.uid, granted: true };
    });
  }

  release(uids: string[]): void {
    for (const uid of uids) this.sql.exec("DELETE FROM reservations WHERE uid = ?", uid);
  }

  releaseNode(node: string): void {
    this.sql.exec("DELETE FROM reservations WHERE node = ?", node);
  }
}
