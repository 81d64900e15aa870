/**
 * The node relay: how a connection reaches a pod on another node without an
 * overlay network. The proxy that picked a remote endpoint dials the owning
 * node's relay (its InternalIP and Node status.daemonEndpoints.kubeletEndpoint.Port),
 * writes one line naming the pod address, and the relay connects to that pod
 * on its own Docker network and answers "OK" (or "ERR …" and closes); after
 * that both ends just copy bytes. The answer lets the dialing proxy fail over
 * to another endpoint instead of handing its client a dead connection.
 */
import { connect, createServer, isIP, type Server, type Socket } from "node:net";
import type { Logger } from "../log.js";

export const RELAY_MAGIC = "KFRELAY1";
/** Longest preamble or answer line; anything longer is not ours. */
export const MAX_LINE_BYTES = 128;
/** A connect that takes this long is treated as refused, so a dead endpoint can't hang a client. */
export const CONNECT_TIMEOUT_MS = 3_000;

export function encodePreamble(ip: string, port: number): Buffer {
  return Buffer.from(`${RELAY_MAGIC} ${ip} ${port}\n`);
}

export type LineParse<T> = { kind: "incomplete" } | { kind: "invalid"; reason: string } | ({ kind: "ok"; rest: Buffer } & T);

function firstLine(buffer: Buffer): { line: string; rest: Buffer } | "incomplete" | "too long" {
  const end = buffer.indexOf(0x0a);
  if (end < 0) return buffer.length >= MAX_LINE_BYTES ? "too long" : "incomplete";
  if (end >= MAX_LINE_BYTES) return "too long";
  return { line: buffer.subarray(0, end).toString("latin1").replace(/\r$/, ""), rest: buffer.subarray(end + 1) };
}

/** Parses "KFRELAY1 <ip> <port>\n" at the start of what the relay has received so far. */
export function parsePreamble(buffer: Buffer): LineParse<{ ip: string; port: number }> {
  const head = firstLine(buffer);
  if (head === "incomplete") return { kind: "incomplete" };
  if (head === "too long") return { kind: "invalid", reason: "preamble too long" };
  const parts = head.line.split(" ");
  if (parts.length !== 3 || parts[0] !== RELAY_MAGIC) return { kind: "invalid", reason: "not a relay preamble" };
  const [, ip, portText] = parts;
  if (!isIP(ip)) return { kind: "invalid", reason: `bad address "${ip}"` };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { kind: "invalid", reason: `bad port "${portText}"` };
  return { kind: "ok", ip, port, rest: head.rest };
}

/** Parses the relay's answer: "OK\n" or "ERR <reason>\n". */
export function parseAnswer(buffer: Buffer): LineParse<{ error?: string }> {
  const head = firstLine(buffer);
  if (head === "incomplete") return { kind: "incomplete" };
  if (head === "too long") return { kind: "invalid", reason: "answer too long" };
  if (head.line === "OK") return { kind: "ok", rest: head.rest };
  if (head.line.startsWith("ERR")) return { kind: "ok", error: head.line.slice(4) || "refused", rest: head.rest };
  return { kind: "invalid", reason: "not a relay answer" };
}

/** A TCP connection that is established, or an Error with the socket's code (ECONNREFUSED, ETIMEDOUT…). */
export function dialDirect(host: string, port: number, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect ${host}:${port} timed out`), { code: "ETIMEDOUT" })), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Connects to pod `ip:port` through the relay at `relayHost:relayPort`; resolves once the relay said OK. */
export async function dialThroughRelay(relayHost: string, relayPort: number, ip: string, port: number, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Socket> {
  const socket = await dialDirect(relayHost, relayPort, timeoutMs);
  socket.write(encodePreamble(ip, port));
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`relay ${relayHost}:${relayPort} did not answer`), { code: "ETIMEDOUT" })), timeoutMs);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseAnswer(received);
      if (answer.kind === "incomplete") return;
      if (answer.kind === "invalid") return fail(Object.assign(new Error(answer.reason), { code: "EPROTO" }));
      if (answer.error) return fail(Object.assign(new Error(`relay: ${answer.error}`), { code: "ECONNREFUSED" }));
      cleanup();
      // Paused until the caller pipes it, so bytes the pod sent right behind the answer are not lost.
      socket.pause();
      if (answer.rest.length) socket.unshift(answer.rest);
      resolve(socket);
    };
    const onEnd = () => fail(Object.assign(new Error("relay closed the connection"), { code: "ECONNRESET" }));
    const cleanup = () => {
      clearTimeout(timer);
      socket.removeListener("data", onData);
      socket.removeListener("error", fail);
      socket.removeListener("end", onEnd);
    };
    socket.on("data", onData);
    socket.on("error", fail);
    socket.on("end", onEnd);
  });
}

/** Copies bytes both ways and tears both down together; half-closes pass through. */
export function splice(a: Socket, b: Socket): void {
  a.setNoDelay(true);
  b.setNoDelay(true);
  a.pipe(b);
  b.pipe(a);
  const destroy = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", destroy);
  b.on("error", destroy);
  a.on("close", () => b.end());
  b.on("close", () => a.end());
}

export interface NodeRelayOptions {
  /** The node's address (InternalIP); the relay is for other nodes, not the world. */
  host: string;
  /** 0 lets the OS choose; the chosen port is published in the Node's status. */
  port: number;
  /** Whether `ip:port` is a pod on this node the relay may connect to. */
  allowTarget(ip: string, port: number): boolean;
  log: Logger;
}

export class NodeRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: NodeRelayOptions) {}

  /** Listens; resolves with the bound port. */
  start(): Promise<number> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: this.options.host, port: this.options.port }, () => {
        server.removeListener("error", reject);
        server.on("error", (error) => this.options.log(`node relay: ${error.message}`));
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), CONNECT_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const preamble = parsePreamble(received);
      if (preamble.kind === "incomplete") return;
      socket.removeListener("data", onData);
      socket.pause();
      clearTimeout(timer);
      if (preamble.kind === "invalid") return void socket.end(`ERR ${preamble.reason}\n`);
      if (!this.options.allowTarget(preamble.ip, preamble.port)) return void socket.end(`ERR ${preamble.ip}:${preamble.port} is not a pod endpoint on this node\n`);
      dialDirect(preamble.ip, preamble.port).then(
        (pod) => {
          if (socket.destroyed) return void pod.destroy();
          this.sockets.add(pod);
          pod.once("close", () => this.sockets.delete(pod));
          socket.write("OK\n");
          if (preamble.rest.length) pod.write(preamble.rest);
          splice(socket, pod);
          socket.resume();
        },
        (error: Error & { code?: string }) => socket.end(`ERR ${error.code ?? error.message}\n`),
      );
    };
    socket.on("data", onData);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
