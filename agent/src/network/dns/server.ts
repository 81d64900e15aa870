/**
 * The node's cluster DNS server (the CoreDNS a cluster would run), on UDP
 * and TCP at one address: cluster names answered from the NetworkView, the
 * rest relayed to the host's resolvers. Every query gets an answer: a
 * SERVFAIL when the upstreams are silent, never a hang.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, isIPv6, type Server, type Socket } from "node:net";
import type { Logger } from "../../log.js";
import type { NetworkView } from "../view.js";
import { resolve, type Resolution } from "./resolve.js";
import { forwardQuery, hostUpstreams, parseUpstream, type Upstream } from "./upstream.js";
import {
  decodeMessage,
  encodeMessage,
  Flag,
  messageId,
  opcodeOf,
  Rcode,
  RecordType,
  type Message,
  type ResourceRecord,
} from "./wire.js";

export interface ClusterDnsOptions {
  view: NetworkView;
  listen: { address: string; port: number };
  /** "ip" or "ip:port"; default: the host's resolv.conf nameservers (not loopback, not this server). */
  upstreams?: string[];
  /** How long each upstream gets to answer. */
  upstreamTimeoutMs?: number;
  log?: Logger;
}

export interface ClusterDns {
  address: { address: string; port: number };
  close(): Promise<void>;
}

const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;
/** A TCP client that sends nothing for this long is hung up on. */
const TCP_IDLE_MS = 10_000;
const PLAIN_UDP_SIZE = 512;
const MAX_UDP_SIZE = 4096;
/** What this server advertises in its own EDNS OPT records. */
const OWN_EDNS_SIZE = 1232;

export async function startClusterDns(options: ClusterDnsOptions): Promise<ClusterDns> {
  const upstreams: Upstream[] = options.upstreams
    ? options.upstreams.map(parseUpstream)
    : hostUpstreams(options.listen.address);
  const timeoutMs = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  const answer = (query: Uint8Array, transport: "udp" | "tcp") =>
    answerQuery(options.view, query, transport, upstreams, timeoutMs).catch((error) => {
      log(`cluster DNS: ${(error as Error).message}`);
      return failure(query, Rcode.SERVFAIL);
    });

  const { udp, tcp } = await bindBoth(options.listen);
  udp.on("message", (query, from) => {
    void answer(query, "udp").then((reply) => {
      if (!reply) return;
      try {
        udp.send(reply, from.port, from.address);
      } catch {
        // Closed while the upstream was still answering: nobody to tell.
      }
    });
  });
  udp.on("error", (error) => log(`cluster DNS (udp): ${error.message}`));
  tcp.on("connection", (socket) => serveTcp(socket, (query) => answer(query, "tcp")));
  tcp.on("error", (error) => log(`cluster DNS (tcp): ${error.message}`));
  const bound = udp.address();
  return {
    address: { address: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((done) => {
        udp.close();
        tcp.close(() => done());
        for (const socket of openSockets.get(tcp) ?? []) socket.destroy();
      }),
  };
}

const openSockets = new WeakMap<Server, Set<Socket>>();

/** UDP and TCP on the same port; with port 0, retried until the UDP port chosen is also free for TCP. */
async function bindBoth(listen: { address: string; port: number }): Promise<{ udp: UdpSocket; tcp: Server }> {
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket(isIPv6(listen.address) ? "udp6" : "udp4");
    await new Promise<void>((done, fail) => {
      udp.once("error", fail);
      udp.bind(listen.port, listen.address, () => {
        udp.off("error", fail);
        done();
      });
    });
    const tcp = createServer();
    const sockets = new Set<Socket>();
    openSockets.set(tcp, sockets);
    tcp.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    try {
      await new Promise<void>((done, fail) => {
        tcp.once("error", fail);
        tcp.listen(udp.address().port, listen.address, () => {
          tcp.off("error", fail);
          done();
        });
      });
      return { udp, tcp };
    } catch (error) {
      udp.close();
      if (listen.port !== 0 || attempt >= 10) throw error;
    }
  }
}

/** DNS over TCP: two-byte length prefixes, several queries per connection, answered in any order. */
function serveTcp(socket: Socket, answer: (query: Uint8Array) => Promise<Uint8Array | undefined>) {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const query = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + query.length);
      void answer(query).then((reply) => {
        if (!reply || socket.destroyed) return;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([length, reply]));
      });
    }
  });
}

async function answerQuery(
  view: NetworkView,
  query: Uint8Array,
  transport: "udp" | "tcp",
  upstreams: Upstream[],
  timeoutMs: number,
): Promise<Uint8Array | undefined> {
  let request: Message;
  try {
    request = decodeMessage(query);
  } catch {
    return failure(query, Rcode.FORMERR);
  }
  if (request.flags & Flag.QR) return undefined;
  if (opcodeOf(request.flags) !== 0) return reply(request, Rcode.NOTIMP, transport);
  if (request.questions.length !== 1) return reply(request, Rcode.FORMERR, transport);
  const resolution = resolve(view, request.questions[0]);
  if (resolution.kind === "forward") {
    return (await forwardQuery(query, upstreams, transport, timeoutMs)) ?? reply(request, Rcode.SERVFAIL, transport);
  }
  if (resolution.chase) await chase(request, resolution, upstreams, timeoutMs);
  return reply(request, resolution.rcode, transport, resolution);
}

/** Appends the upstream's records for an ExternalName target after its CNAME. */
async function chase(request: Message, resolution: Extract<Resolution, { kind: "answer" }>, upstreams: Upstream[], timeoutMs: number) {
  const question = { name: resolution.chase!, type: request.questions[0].type, class: request.questions[0].class };
  const query = encodeMessage({ id: request.id, flags: Flag.RD, questions: [question], answers: [], authorities: [], additionals: [] });
  const answer = await forwardQuery(query, upstreams, "udp", timeoutMs).catch(() => undefined);
  if (!answer) return;
  try {
    const decoded = decodeMessage(answer);
    resolution.answers.push(...decoded.answers.filter((record) => record.type !== RecordType.SOA));
  } catch {
    // An unreadable upstream answer leaves the CNAME alone, for the client to follow.
  }
}

function reply(
  request: Message,
  rcode: number,
  transport: "udp" | "tcp",
  resolution?: Extract<Resolution, { kind: "answer" }>,
): Uint8Array {
  const authoritative = resolution !== undefined && !resolution.chase;
  const flags = Flag.QR | (request.flags & 0x7800) | (request.flags & Flag.RD) | Flag.RA | (authoritative ? Flag.AA : 0) | rcode;
  const message: Message = {
    id: request.id,
    flags,
    questions: request.questions,
    answers: resolution?.answers ?? [],
    authorities: resolution?.authorities ?? [],
    additionals: resolution?.additionals ?? [],
    ednsUdpSize: request.ednsUdpSize !== undefined ? OWN_EDNS_SIZE : undefined,
  };
  const encoded = encodeMessage(message);
  if (transport === "tcp") return encoded;
  const limit = Math.min(MAX_UDP_SIZE, Math.max(PLAIN_UDP_SIZE, request.ednsUdpSize ?? PLAIN_UDP_SIZE));
  if (encoded.length <= limit) return encoded;
  // Too big for this datagram: say so, and the client asks again over TCP.
  const withoutExtras = encodeMessage({ ...message, additionals: [] });
  if (withoutExtras.length <= limit) return withoutExtras;
  return encodeMessage({ ...message, flags: flags | Flag.TC, answers: [] as ResourceRecord[], authorities: [], additionals: [] });
}

/** A header-only answer for a query that could not be read past its id. */
function failure(query: Uint8Array, rcode: number): Uint8Array | undefined {
  const id = messageId(query);
  if (id === undefined) return undefined;
  const flags = query.length >= 4 ? ((query[2] << 8) | query[3]) : 0;
  if (flags & Flag.QR) return undefined;
  return encodeMessage({ id, flags: Flag.QR | (flags & 0x7900) | Flag.RA | rcode, questions: [], answers: [], authorities: [], additionals: [] });
}
