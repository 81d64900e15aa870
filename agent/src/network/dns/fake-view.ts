/**
 * An in-memory NetworkView for the DNS and Ingress tests: plain arrays of
 * objects, and `update` to change them and notify listeners as the catalog
 * would after a watch event.
 */
import type { Endpoints, Node, Secret, Service } from "../../../../src/schema/core.js";
import type { Ingress } from "../../../../src/schema/networking.js";
import type { NetworkView } from "../view.js";

export interface FakeNetworkState {
  services: Service[];
  endpoints: Endpoints[];
  ingresses: Ingress[];
  secrets: Secret[];
  nodes: Node[];
}

export class FakeNetworkView implements NetworkView {
  readonly clusterDomain: string;
  private state: FakeNetworkState;
  private listeners = new Set<() => void>();

  constructor(state: Partial<FakeNetworkState> = {}, clusterDomain = "cluster.local") {
    this.state = { services: [], endpoints: [], ingresses: [], secrets: [], nodes: [], ...state };
    this.clusterDomain = clusterDomain;
  }

  update(change: Partial<FakeNetworkState>) {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }

  services() {
    return this.state.services;
  }
  service(namespace: string, name: string) {
    return this.state.services.find((item) => item.metadata.namespace === namespace && item.metadata.name === name);
  }
  endpoints(namespace: string, name: string) {
    return this.state.endpoints.find((item) => item.metadata.namespace === namespace && item.metadata.name === name);
  }
  ingresses() {
    return this.state.ingresses;
  }
  tlsSecret(namespace: string, name: string) {
    return this.state.secrets.find((item) => item.metadata.namespace === namespace && item.metadata.name === name);
  }
  nodes() {
    return this.state.nodes;
  }
  onChange(listener: () => void) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
