/**
 * Registering the Node and keeping its status current, as the kubelet does:
 * create it (or adopt an existing one, keeping its spec), then PUT status,
 * re-reading on conflicts.
 */
import type { Node } from "../../../src/schema/core.js";
import type { ControlPlaneClient } from "./client.js";
import { UnexpectedResponse } from "./errors.js";
import { buildNode, nodeLabels, nodeStatus, type NodeFacts, type NodeIdentity } from "./node-object.js";

const nowTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export class NodeRegistration {
  /** The Node as last written; its uid feeds the Lease's ownerReference. */
  node?: Node;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly facts: NodeFacts,
    private readonly identity: NodeIdentity,
  ) {}

  private get path() {
    return `/api/v1/nodes/${encodeURIComponent(this.identity.nodeName)}`;
  }

  async register(): Promise<Node> {
    const created = await this.client.request<Node>("POST", "/api/v1/nodes", buildNode(this.facts, this.identity, nowTime()));
    let node: Node;
    if (created.status === 200 || created.status === 201) {
      node = created.body;
    } else if (created.status === 409) {
      node = await this.adopt();
    } else {
      throw new UnexpectedResponse(created.status, "registering node", created.body);
    }
    this.node = node;
    return this.updateStatus();
  }

  /** The Node exists (a restart, or created by an admin): keep its spec, make sure our labels are on it. */
  private async adopt(): Promise<Node> {
    const existing = await this.get();
    const wanted = nodeLabels(this.facts, this.identity);
    const labels = existing.metadata.labels ?? {};
    if (Object.entries(wanted).every(([key, value]) => labels[key] === value)) return existing;
    const updated = await this.client.request<Node>("PUT", this.path, {
      ...existing,
      metadata: { ...existing.metadata, labels: { ...labels, ...wanted } },
    });
    if (updated.status === 200) return updated.body;
    if (updated.status === 409) return this.adopt();
    throw new UnexpectedResponse(updated.status, "updating node labels", updated.body);
  }

  private async get(): Promise<Node> {
    const response = await this.client.request<Node>("GET", this.path);
    if (response.status !== 200) throw new UnexpectedResponse(response.status, "reading node", response.body);
    return response.body;
  }

  /** PUT /status with fresh conditions and facts; re-reads and retries on 409. Registers again if the Node was deleted. */
  async updateStatus(): Promise<Node> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = this.node ?? (await this.get());
      const body: Node = { ...current, status: nodeStatus(this.facts, this.identity, nowTime(), current.status) };
      const response = await this.client.request<Node>("PUT", `${this.path}/status`, body);
      if (response.status === 200) {
        this.node = response.body;
        return response.body;
      }
      if (response.status === 404) {
        this.node = undefined;
        return this.register();
      }
      if (response.status !== 409) throw new UnexpectedResponse(response.status, "updating node status", response.body);
      this.node = undefined;
    }
    throw new Error("updating node status: conflicts kept happening");
  }
}
