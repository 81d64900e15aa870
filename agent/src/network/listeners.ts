/**
 * A set of TCP listeners kept equal to a wanted set. A port that cannot be
 * bound yet — EADDRINUSE because another agent on this host serves it, or
 * EADDRNOTAVAIL because its ClusterIP is not on the interface yet — is said
 * once in the log and tried again on every retry(), so when the other agent
 * stops, a surviving one takes the port over.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../log.js";

export interface ListenSpec {
  host: string;
  port: number;
  /** Takes an accepted connection; looked up per connection, so a sync can swap it without re-binding. */
  handle(socket: Socket): void;
}

export const listenKey = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

export class ListenerSet {
  private readonly servers = new Map<string, Server>();
  private readonly opening = new Set<string>();
  private readonly failing = new Map<string, string>();
  private wanted = new Map<string, ListenSpec>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  /** Replaces the wanted set: closes what is no longer wanted and binds what is new. */
  sync(wanted: Map<string, ListenSpec>): void {
    this.wanted = wanted;
    for (const [key, server] of this.servers) {
      if (wanted.has(key)) continue;
      this.servers.delete(key);
      server.close();
    }
    for (const key of this.failing.keys()) if (!wanted.has(key)) this.failing.delete(key);
    this.retry();
  }

  /** Binds every wanted listener that is not bound. */
  retry(): void {
    if (this.closed) return;
    for (const [key, spec] of this.wanted) if (!this.servers.has(key) && !this.opening.has(key)) this.open(key, spec);
  }

  /** Keys currently bound by this agent. */
  bound(): string[] {
    return [...this.servers.keys()];
  }

  private open(key: string, spec: ListenSpec): void {
    this.opening.add(key);
    const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
      const current = this.wanted.get(key);
      if (current) current.handle(socket);
      else socket.destroy();
    });
    server.once("error", (error: Error & { code?: string }) => {
      this.opening.delete(key);
      const reason = error.code === "EADDRINUSE" ? "in use (another agent on this host serves it?); will retry" : `${error.code ?? error.message}; will retry`;
      if (this.failing.get(key) !== reason) this.log(`service proxy: cannot listen on ${key}: ${reason}`);
      this.failing.set(key, reason);
    });
    server.listen({ host: spec.host, port: spec.port }, () => {
      this.opening.delete(key);
      if (this.closed || this.wanted.get(key) === undefined) return void server.close();
      if (this.failing.delete(key)) this.log(`service proxy: now listening on ${key}`);
      server.on("error", (error) => this.log(`service proxy: listener ${key}: ${error.message}`));
      this.servers.set(key, server);
    });
  }

  /** Stops accepting; connections already spliced are left to finish on their own. */
  close(): void {
    this.closed = true;
    for (const server of this.servers.values()) server.close();
    this.servers.clear();
  }
}
