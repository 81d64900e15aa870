/**
 * The host's resolvers, for names outside the cluster domain (CoreDNS'
 * `forward . /etc/resolv.conf`). Queries are relayed as they came, over the
 * transport they came on, so EDNS, DNSSEC bits and truncation pass through.
 */
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect, isIPv6 } from "node:net";
import { messageId } from "./wire.js";

export interface Upstream {
  address: string;
  port: number;
}

/** "1.1.1.1", "1.1.1.1:5353", "::1", "[::1]:5353". */
export function parseUpstream(text: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { address: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : 53 };
  if (isIPv6(text)) return { address: text, port: 53 };
  const [address, port] = text.split(":");
  return { address, port: port ? Number(port) : 53 };
}

/** `nameserver` entries of a resolv.conf, in order. */
export function nameserversOf(resolvConf: string): string[] {
  return resolvConf
    .split("\n")
    .map((line) => line.replace(/[#;].*$/, "").trim().split(/\s+/))
    .filter((fields) => fields[0] === "nameserver" && fields[1])
    .map((fields) => fields[1].replace(/%.*$/, ""));
}

function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address === "0.0.0.0" || address === "::";
}

/**
 * The host's upstream resolvers, skipping loopback ones (a pod cannot reach
 * them, and the cluster DNS may be one) and `self`. On systemd-resolved hosts
 * resolv.conf names only 127.0.0.53, so the real servers are read from
 * /run/systemd/resolve/resolv.conf, as the kubelet does.
 */
export function hostUpstreams(self: string, read: (path: string) => string | undefined = readText): Upstream[] {
  for (const path of ["/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"]) {
    const servers = nameserversOf(read(path) ?? "").filter((address) => !isLoopback(address) && address !== self);
    if (servers.length > 0) return servers.map((address) => ({ address, port: 53 }));
  }
  return [];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Sends `query` to each upstream in turn until one answers; undefined when none did within `timeoutMs` each. */
export async function forwardQuery(
  query: Uint8Array,
  upstreams: Upstream[],
  transport: "udp" | "tcp",
  timeoutMs: number,
): Promise<Uint8Array | undefined> {
  for (const upstream of upstreams) {
    const reply = await (transport === "udp" ? askUdp : askTcp)(query, upstream, timeoutMs).catch(() => undefined);
    if (reply) return reply;
  }
  return undefined;
}

function askUdp(query: Uint8Array, upstream: Upstream, timeoutMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    // A fresh socket per query: a random source port, and replies cannot be mixed up.
    const socket = createSocket(isIPv6(upstream.address) ? "udp6" : "udp4");
    const id = messageId(query);
    let done = false;
    const finish = (reply: Uint8Array | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on("error", () => finish(undefined));
    socket.on("message", (reply, from) => {
      if (from.address !== upstream.address || from.port !== upstream.port || messageId(reply) !== id) return;
      finish(reply);
    });
    socket.send(query, upstream.port, upstream.address, (error) => {
      if (error) finish(undefined);
    });
  });
}

function askTcp(query: Uint8Array, upstream: Upstream, timeoutMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.address, port: upstream.port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (reply: Uint8Array | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on("error", () => finish(undefined));
    socket.on("close", () => finish(undefined));
    socket.on("connect", () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        finish(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
  });
}
