/**
 * The agent's live copy of the cluster's service plumbing (NetworkView):
 * Services, Endpoints, Ingresses, IngressClasses and Nodes from list/watch
 * across all namespaces, plus the TLS Secrets the served Ingresses name
 * (fetched one by one, since watching every Secret would copy the whole
 * cluster's credentials onto every node). Listeners are told after any
 * change, coalesced so a burst of events costs one re-read.
 */
import type { Endpoints, Node, Secret, Service } from "../../../src/schema/core.js";
import type { Ingress, IngressClass } from "../../../src/schema/networking.js";
import type { BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import { servedIngresses } from "./ingress-class.js";
import { ApiReader, Informer } from "./informer.js";
import type { NetworkView } from "./view.js";

export interface CatalogOptions {
  server: string;
  token: string;
  ca?: string | Buffer;
  log: Logger;
  retry?: BackoffPolicy;
  clusterDomain?: string;
  /** How often referenced TLS Secrets are fetched again (they are not watched). */
  secretRefreshMs?: number;
}

export class Catalog implements NetworkView {
  readonly clusterDomain: string;
  private readonly reader: ApiReader;
  private readonly serviceInformer: Informer<Service>;
  private readonly endpointsInformer: Informer<Endpoints>;
  private readonly ingressInformer: Informer<Ingress>;
  private readonly classInformer: Informer<IngressClass>;
  private readonly nodeInformer: Informer<Node>;
  private readonly listeners = new Set<() => void>();
  private readonly secrets = new Map<string, Secret>();
  private served: Ingress[] = [];
  private notifyQueued = false;
  private secretTimer?: NodeJS.Timeout;
  private fetchingSecrets = false;

  constructor(private readonly options: CatalogOptions) {
    this.clusterDomain = options.clusterDomain ?? "cluster.local";
    this.reader = new ApiReader(new URL(options.server), options.token, options.ca);
    const informer = <T extends { metadata: { name?: string } }>(path: string) =>
      new Informer<T>({ reader: this.reader, path, onChange: () => this.changed(), log: options.log, retry: options.retry });
    this.serviceInformer = informer<Service>("/api/v1/services");
    this.endpointsInformer = informer<Endpoints>("/api/v1/endpoints");
    this.ingressInformer = informer<Ingress>("/apis/networking.k8s.io/v1/ingresses");
    this.classInformer = informer<IngressClass>("/apis/networking.k8s.io/v1/ingressclasses");
    this.nodeInformer = informer<Node>("/api/v1/nodes");
  }

  private get informers() {
    return [this.serviceInformer, this.endpointsInformer, this.ingressInformer, this.classInformer, this.nodeInformer];
  }

  start(): void {
    for (const informer of this.informers) informer.start();
    this.secretTimer = setInterval(() => void this.refreshSecrets(), this.options.secretRefreshMs ?? 30_000);
    this.secretTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.secretTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
    this.reader.close();
  }

  /** Whether Services and Endpoints have been listed at least once. */
  get synced(): boolean {
    return this.serviceInformer.synced && this.endpointsInformer.synced;
  }

  services(): Service[] {
    return [...this.serviceInformer.items.values()];
  }

  service(namespace: string, name: string): Service | undefined {
    return this.serviceInformer.items.get(`${namespace}/${name}`);
  }

  endpoints(namespace: string, name: string): Endpoints | undefined {
    return this.endpointsInformer.items.get(`${namespace}/${name}`);
  }

  allEndpoints(): Endpoints[] {
    return [...this.endpointsInformer.items.values()];
  }

  ingresses(): Ingress[] {
    return this.served;
  }

  tlsSecret(namespace: string, name: string): Secret | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  nodes(): Node[] {
    return [...this.nodeInformer.items.values()];
  }

  node(name: string): Node | undefined {
    return this.nodeInformer.items.get(`/${name}`);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      const before = this.secretKeys().join(",");
      this.served = servedIngresses([...this.ingressInformer.items.values()], [...this.classInformer.items.values()]);
      if (this.secretKeys().join(",") !== before) void this.refreshSecrets();
      this.notify();
    });
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.options.log(`network view listener failed: ${(error as Error).message}`);
      }
    }
  }

  private secretKeys(): string[] {
    const keys = new Set<string>();
    for (const ingress of this.served) {
      for (const tls of ingress.spec?.tls ?? []) if (tls.secretName) keys.add(`${ingress.metadata.namespace ?? "default"}/${tls.secretName}`);
    }
    return [...keys].sort();
  }

  private async refreshSecrets(): Promise<void> {
    if (this.fetchingSecrets) return;
    this.fetchingSecrets = true;
    let changed = false;
    try {
      const wanted = new Set(this.secretKeys());
      for (const key of this.secrets.keys()) {
        if (wanted.has(key)) continue;
        this.secrets.delete(key);
        changed = true;
      }
      for (const key of wanted) {
        const [namespace, name] = key.split("/");
        const answer = await this.reader
          .getJson<Secret>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`)
          .catch(() => undefined);
        if (!answer) continue;
        const before = this.secrets.get(key);
        if (answer.status === 200 && before?.metadata.resourceVersion !== answer.body.metadata.resourceVersion) {
          this.secrets.set(key, answer.body);
          changed = true;
        } else if (answer.status === 404 && before) {
          this.secrets.delete(key);
          changed = true;
        }
      }
    } finally {
      this.fetchingSecrets = false;
    }
    if (changed) this.notify();
  }
}
