/**
 * TLS certificates for the Ingress proxy's HTTPS listener, from the
 * kubernetes.io/tls Secrets named in spec.tls[] of the served Ingresses,
 * chosen per connection by SNI. Contexts are rebuilt when the view changes,
 * and only for Secrets whose content changed.
 */
import { createSecureContext, type SecureContext } from "node:tls";
import type { Secret } from "../../../../src/schema/core.js";
import type { Logger } from "../../log.js";
import type { NetworkView } from "../view.js";
import { normalizeHost } from "./routes.js";

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

interface Loaded {
  /** The Secret's data as last read, to tell whether it changed. */
  fingerprint: string;
  pair: KeyPair;
  context: SecureContext;
}

export class IngressCertificates {
  private dirty = true;
  private byHost = new Map<string, SecureContext>();
  private byWildcard = new Map<string, SecureContext>();
  private fallbackPair: KeyPair | undefined;
  private fallbackContext: SecureContext | undefined;
  private loaded = new Map<string, Loaded>();
  /** Secrets already reported as unusable, so each is logged once per content. */
  private reported = new Set<string>();

  constructor(
    private readonly view: NetworkView,
    private readonly log: Logger,
  ) {}

  /** Marks the table stale; it is rebuilt at the next handshake. */
  invalidate() {
    this.dirty = true;
  }

  /** The context for an SNI server name: exact host, then `*.` wildcard, then the fallback. */
  contextFor(serverName: string): SecureContext | undefined {
    this.refresh();
    const host = normalizeHost(serverName);
    const dot = host.indexOf(".");
    return this.byHost.get(host) ?? (dot > 0 ? this.byWildcard.get(host.slice(dot + 1)) : undefined) ?? this.fallbackContext;
  }

  /**
   * The certificate for clients that send no SNI (or an unknown name): a
   * spec.tls[] entry without hosts, else the oldest Ingress's first
   * certificate — ingress-nginx serves a self-signed one here, which
   * clients reject just the same.
   */
  fallback(): KeyPair | undefined {
    this.refresh();
    return this.fallbackPair;
  }

  private refresh() {
    if (!this.dirty) return;
    this.dirty = false;
    const byHost = new Map<string, SecureContext>();
    const byWildcard = new Map<string, SecureContext>();
    const used = new Map<string, Loaded>();
    let hostless: Loaded | undefined;
    let first: Loaded | undefined;
    const ingresses = [...this.view.ingresses()].sort((a, b) =>
      (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""),
    );
    for (const ingress of ingresses) {
      const namespace = ingress.metadata.namespace ?? "default";
      for (const tls of ingress.spec?.tls ?? []) {
        if (!tls.secretName) continue;
        const key = `${namespace}/${tls.secretName}`;
        const loaded = used.get(key) ?? this.load(key, this.view.tlsSecret(namespace, tls.secretName));
        if (!loaded) continue;
        used.set(key, loaded);
        first ??= loaded;
        if (!tls.hosts?.length) hostless ??= loaded;
        for (const rawHost of tls.hosts ?? []) {
          const host = rawHost.toLowerCase();
          // The oldest Ingress naming a host keeps it.
          if (host.startsWith("*.")) {
            if (!byWildcard.has(host.slice(2))) byWildcard.set(host.slice(2), loaded.context);
          } else if (!byHost.has(host)) byHost.set(host, loaded.context);
        }
      }
    }
    this.byHost = byHost;
    this.byWildcard = byWildcard;
    this.loaded = used;
    const fallback = hostless ?? first;
    this.fallbackPair = fallback?.pair;
    this.fallbackContext = fallback?.context;
  }

  private load(key: string, secret: Secret | undefined): Loaded | undefined {
    const cert = secret?.data?.["tls.crt"];
    const privateKey = secret?.data?.["tls.key"];
    if (!cert || !privateKey) {
      this.reportOnce(`${key}:missing`, `ingress: TLS secret ${key} is missing or has no tls.crt/tls.key; serving without it`);
      return undefined;
    }
    const fingerprint = `${cert}\n${privateKey}`;
    const previous = this.loaded.get(key);
    if (previous?.fingerprint === fingerprint) return previous;
    try {
      const pair = { cert: Buffer.from(cert, "base64"), key: Buffer.from(privateKey, "base64") };
      return { fingerprint, pair, context: createSecureContext(pair) };
    } catch (error) {
      this.reportOnce(`${key}:${fingerprint}`, `ingress: TLS secret ${key} is unusable: ${(error as Error).message}`);
      return undefined;
    }
  }

  private reportOnce(key: string, message: string) {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log(message);
  }
}
