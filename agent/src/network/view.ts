/**
 * The contract between the agent's service plumbing (catalog, service proxy,
 * node relay) and the parts that consume it (cluster DNS, Ingress proxy,
 * service environment variables). The catalog keeps a live copy of the
 * cluster's Services, Endpoints, Ingresses and Nodes from list/watch, as
 * kube-proxy does; consumers read it synchronously and re-read on change.
 */
import type { Socket } from "node:net";
import type { Endpoints, Node, Secret, Service } from "../../../src/schema/core.js";
import type { Ingress } from "../../../src/schema/networking.js";

export interface NetworkView {
  /** Every Service in every namespace. */
  services(): Service[];
  service(namespace: string, name: string): Service | undefined;
  /** The core/v1 Endpoints of a Service (same namespace/name), if any. */
  endpoints(namespace: string, name: string): Endpoints | undefined;
  /** Every Ingress in every namespace whose class is served by this agent. */
  ingresses(): Ingress[];
  /** A TLS Secret referenced by an Ingress's spec.tls[].secretName. */
  tlsSecret(namespace: string, name: string): Secret | undefined;
  nodes(): Node[];
  /** Cluster domain, "cluster.local". */
  readonly clusterDomain: string;
  /** Calls `listener` after any change; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Where a connection for a Service port should go, chosen by the service proxy's balancing rules. */
export interface BackendDialer {
  /**
   * Opens a TCP connection to one ready endpoint of Service `namespace/name`
   * for service port `port` (number, or the port's name), honouring session
   * affinity for `clientIP` and traffic policies; endpoints on other nodes are
   * reached through their agent's relay. Rejects with an Error whose `code`
   * is "NO_ENDPOINTS" when the Service has no ready endpoint, or "NO_SERVICE"
   * when it does not exist.
   */
  dial(namespace: string, name: string, port: number | string, clientIP?: string): Promise<Socket>;
}
