/**
 * The node's Lease in kube-node-lease. The desired-state channel (its
 * WebSocket, or the long-poll) is this agent's heartbeat
 * (docs/agent-protocol.md), so the Lease is renewed only every half hour, to
 * show kubectl users (`kubectl describe node`, `get leases`) who holds it.
 * Each renewal costs Durable Object requests an idle fleet pays for, which
 * is why it is this rare.
 */
import type { ControlPlaneClient } from "./client.js";
import { UnexpectedResponse } from "./errors.js";

export const LEASE_NAMESPACE = "kube-node-lease";
/** How often the agent renews its Lease. */
export const LEASE_RENEW_INTERVAL_MS = 30 * 60_000;
/** A renewal interval with a minute to spare, so a renewed Lease never reads as expired. */
export const LEASE_DURATION_SECONDS = LEASE_RENEW_INTERVAL_MS / 1000 + 60;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function leaseObject(nodeName: string, renewMs: number, owner?: { uid?: string }, resourceVersion?: string) {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: nodeName,
      namespace: LEASE_NAMESPACE,
      ...(resourceVersion ? { resourceVersion } : {}),
      ...(owner?.uid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: owner.uid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(renewMs) },
  };
}

export class NodeLease {
  private resourceVersion?: string;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly nodeName: string,
    private readonly owner: () => { uid?: string } | undefined,
  ) {}

  private get collection() {
    return `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
  }

  /** PUT the renewed Lease; POST it when missing; on a conflict re-read its resourceVersion once. */
  async renew(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const lease = leaseObject(this.nodeName, Date.now(), this.owner(), this.resourceVersion);
      const path = `${this.collection}/${encodeURIComponent(this.nodeName)}`;
      const put = await this.client.request("PUT", path, lease);
      if (put.status === 200 || put.status === 201) {
        this.resourceVersion = put.body?.metadata?.resourceVersion;
        return;
      }
      if (put.status === 404) {
        const { resourceVersion: _, ...metadata } = lease.metadata as typeof lease.metadata & { resourceVersion?: string };
        const created = await this.client.request("POST", this.collection, { ...lease, metadata });
        if (created.status === 200 || created.status === 201) {
          this.resourceVersion = created.body?.metadata?.resourceVersion;
          return;
        }
        if (created.status !== 409) throw new UnexpectedResponse(created.status, "creating node lease", created.body);
      } else if (put.status !== 409) {
        throw new UnexpectedResponse(put.status, "renewing node lease", put.body);
      }
      const current = await this.client.request("GET", path);
      this.resourceVersion = current.status === 200 ? current.body?.metadata?.resourceVersion : undefined;
    }
    throw new Error("renewing node lease: conflicts kept happening");
  }
}
