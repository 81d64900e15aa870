import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { connect, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterView, endpoints, service } from "./cluster-fixtures.js";
import { startClusterDns, type ClusterDns } from "./server.js";
import { decodeMessage, encodeMessage, Flag, Rcode, RecordType, type Message } from "./wire.js";

/** A resolver on 127.0.0.1 that answers every A question with 192.0.2.1 (UDP and TCP), and counts what it saw. */
async function fakeUpstream(): Promise<{ port: number; seen: string[]; close(): void }> {
  const seen: string[] = [];
  const answerFor = (query: Buffer) => {
    const request = decodeMessage(query);
    seen.push(request.questions[0].name);
    return encodeMessage({
      ...request,
      flags: Flag.QR | Flag.RD | Flag.RA,
      answers: request.questions[0].type === RecordType.A ? [{ name: request.questions[0].name, type: RecordType.A, ttl: 60, data: "192.0.2.1" }] : [],
    });
  };
  const udp = createSocket("udp4");
  await new Promise<void>((done) => udp.bind(0, "127.0.0.1", done));
  const port = udp.address().port;
  udp.on("message", (query, from) => udp.send(answerFor(query), from.port, from.address));
  const tcp: Server = createServer((socket) => {
    socket.once("data", (chunk) => {
      const reply = answerFor(chunk.subarray(2));
      socket.end(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
    });
  });
  await new Promise<void>((done) => tcp.listen(port, "127.0.0.1", done));
  return { port, seen, close: () => (udp.close(), tcp.close()) };
}

function query(name: string, type: number, extra: Partial<Message> = {}): Uint8Array {
  return encodeMessage({ id: 4242, flags: Flag.RD, questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], ...extra });
}

async function askUdp(port: number, message: Uint8Array): Promise<Message> {
  const socket: UdpSocket = createSocket("udp4");
  try {
    return await new Promise((done, fail) => {
      socket.on("message", (reply) => done(decodeMessage(reply)));
      socket.on("error", fail);
      socket.send(message, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

async function askTcp(port: number, message: Uint8Array): Promise<Message> {
  const socket = connect({ host: "127.0.0.1", port });
  try {
    return await new Promise((done, fail) => {
      let buffered = Buffer.alloc(0);
      socket.on("error", fail);
      socket.on("data", (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) done(decodeMessage(buffered.subarray(2)));
      });
      socket.write(Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]));
    });
  } finally {
    socket.destroy();
  }
}

describe("cluster DNS server", () => {
  const view = clusterView();
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  let dns: ClusterDns;
  let resolver: Resolver;

  beforeAll(async () => {
    upstream = await fakeUpstream();
    dns = await startClusterDns({ view, listen: { address: "127.0.0.1", port: 0 }, upstreams: [`127.0.0.1:${upstream.port}`] });
    resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.address.port}`]);
  });
  afterAll(async () => {
    await dns?.close();
    upstream?.close();
  });

  it("answers node's resolver for Services, headless endpoints and named ports", async () => {
    expect(await resolver.resolve4("web.shop.svc.cluster.local", { ttl: true })).toEqual([{ address: "10.96.0.10", ttl: 5 }]);
    expect((await resolver.resolve4("db.shop.svc.cluster.local")).sort()).toEqual(["10.244.0.5", "10.244.0.6"]);
    expect(await resolver.resolveSrv("_http._tcp.web.shop.svc.cluster.local")).toEqual([
      { name: "web.shop.svc.cluster.local", port: 80, priority: 0, weight: 100 },
    ]);
    expect(await resolver.resolveCname("ext.shop.svc.cluster.local")).toEqual(["www.example.org"]);
  });

  it("says NXDOMAIN (ENOTFOUND) for unknown cluster names", async () => {
    await expect(resolver.resolve4("missing.shop.svc.cluster.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("answers authoritatively over UDP with the query's id and question", async () => {
    const reply = await askUdp(dns.address.port, query("web.shop.svc.cluster.local", RecordType.A));
    expect(reply.id).toBe(4242);
    expect(reply.flags & Flag.QR).toBeTruthy();
    expect(reply.flags & Flag.AA).toBeTruthy();
    expect(reply.flags & 0xf).toBe(Rcode.NOERROR);
    expect(reply.questions).toEqual([{ name: "web.shop.svc.cluster.local", type: RecordType.A, class: 1 }]);
    expect(reply.answers).toEqual([{ name: "web.shop.svc.cluster.local", type: RecordType.A, ttl: 5, data: "10.96.0.10" }]);
  });

  it("answers over TCP", async () => {
    const reply = await askTcp(dns.address.port, query("_postgres._tcp.db.shop.svc.cluster.local", RecordType.SRV));
    expect(reply.answers.map((record) => (record.data as { target: string }).target)).toEqual([
      "db-0.db.shop.svc.cluster.local",
      "10-244-0-6.db.shop.svc.cluster.local",
    ]);
    expect(reply.additionals.map((record) => record.data)).toEqual(["10.244.0.5", "10.244.0.6"]);
  });

  it("forwards other names to the upstream, over UDP and TCP", async () => {
    expect(await resolver.resolve4("www.example.com")).toEqual(["192.0.2.1"]);
    const overTcp = await askTcp(dns.address.port, query("tcp.example.com", RecordType.A));
    expect(overTcp.answers.map((record) => record.data)).toEqual(["192.0.2.1"]);
    expect(upstream.seen).toEqual(expect.arrayContaining(["www.example.com", "tcp.example.com"]));
    expect(upstream.seen.some((name) => name.endsWith("cluster.local"))).toBe(false);
  });

  it("chases an ExternalName's outside target through the upstream", async () => {
    const reply = await askUdp(dns.address.port, query("ext.shop.svc.cluster.local", RecordType.A));
    expect(reply.answers.map((record) => [record.name, record.data])).toEqual([
      ["ext.shop.svc.cluster.local", "www.example.org"],
      ["www.example.org", "192.0.2.1"],
    ]);
    expect(await resolver.resolve4("ext.shop.svc.cluster.local")).toEqual(["192.0.2.1"]);
  });

  it("sees changes to the view at once", async () => {
    view.update({ services: [...view.services(), service("shop", "late", { clusterIP: "10.96.0.99" })] });
    expect(await resolver.resolve4("late.shop.svc.cluster.local")).toEqual(["10.96.0.99"]);
  });

  it("marks an answer too big for plain UDP as truncated, and gives it whole over TCP", async () => {
    const addresses = Array.from({ length: 60 }, (_, i) => ({ ip: `10.245.0.${i + 1}` }));
    const big = clusterView();
    big.update({
      services: [service("shop", "many", { clusterIP: "None" })],
      endpoints: [endpoints("shop", "many", [{ addresses }])],
    });
    const server = await startClusterDns({ view: big, listen: { address: "127.0.0.1", port: 0 }, upstreams: [] });
    try {
      const overUdp = await askUdp(server.address.port, query("many.shop.svc.cluster.local", RecordType.A));
      expect(overUdp.flags & Flag.TC).toBeTruthy();
      expect(overUdp.answers).toEqual([]);
      const withEdns = await askUdp(server.address.port, query("many.shop.svc.cluster.local", RecordType.A, { ednsUdpSize: 4096 }));
      expect(withEdns.flags & Flag.TC).toBeFalsy();
      expect(withEdns.answers).toHaveLength(60);
      const overTcp = await askTcp(server.address.port, query("many.shop.svc.cluster.local", RecordType.A));
      expect(overTcp.answers).toHaveLength(60);
    } finally {
      await server.close();
    }
  });

  it("answers SERVFAIL when the upstreams are silent or there are none", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((done) => silent.bind(0, "127.0.0.1", done));
    const server = await startClusterDns({
      view,
      listen: { address: "127.0.0.1", port: 0 },
      upstreams: [`127.0.0.1:${silent.address().port}`],
      upstreamTimeoutMs: 200,
    });
    const none = await startClusterDns({ view, listen: { address: "127.0.0.1", port: 0 }, upstreams: [] });
    try {
      const reply = await askUdp(server.address.port, query("example.net", RecordType.A));
      expect(reply.flags & 0xf).toBe(Rcode.SERVFAIL);
      expect(reply.id).toBe(4242);
      const fromNone = await askTcp(none.address.port, query("example.net", RecordType.A));
      expect(fromNone.flags & 0xf).toBe(Rcode.SERVFAIL);
      // Cluster names keep working without any upstream.
      const cluster = await askUdp(none.address.port, query("web.shop.svc.cluster.local", RecordType.A));
      expect(cluster.answers.map((record) => record.data)).toEqual(["10.96.0.10"]);
    } finally {
      await server.close();
      await none.close();
      silent.close();
    }
  });

  it("answers FORMERR to a malformed query and NOTIMP to other opcodes", async () => {
    const garbage = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 5, 0x61]);
    const formErr = await askUdp(dns.address.port, garbage);
    expect(formErr.id).toBe(0x1234);
    expect(formErr.flags & 0xf).toBe(Rcode.FORMERR);
    const update = query("web.shop.svc.cluster.local", RecordType.A, { flags: 5 << 11 });
    expect((await askUdp(dns.address.port, update)).flags & 0xf).toBe(Rcode.NOTIMP);
  });
});
