import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, Flag, ipv6Bytes, RecordType, WireError, type Message } from "./wire.js";

describe("DNS wire format", () => {
  const message: Message = {
    id: 0x1234,
    flags: Flag.QR | Flag.AA | Flag.RD | Flag.RA,
    questions: [{ name: "_http._tcp.web.shop.svc.cluster.local", type: RecordType.SRV, class: 1 }],
    answers: [
      { name: "_http._tcp.web.shop.svc.cluster.local", type: RecordType.SRV, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: "web.shop.svc.cluster.local" } },
      { name: "alias.shop.svc.cluster.local", type: RecordType.CNAME, ttl: 5, data: "web.shop.svc.cluster.local" },
    ],
    authorities: [],
    additionals: [
      { name: "web.shop.svc.cluster.local", type: RecordType.A, ttl: 5, data: "10.96.0.10" },
      { name: "web.shop.svc.cluster.local", type: RecordType.AAAA, ttl: 5, data: "fd00:0:0:0:0:0:0:a" },
    ],
  };

  it("reads back what it writes, following compression pointers", () => {
    const bytes = encodeMessage(message);
    expect(decodeMessage(bytes)).toEqual(message);
  });

  it("compresses repeated name suffixes", () => {
    const bytes = encodeMessage(message);
    const uncompressedNames = [
      ...message.questions.map((q) => q.name),
      ...[...message.answers, ...message.additionals].map((r) => r.name),
      "web.shop.svc.cluster.local",
      "web.shop.svc.cluster.local",
    ].reduce((total, name) => total + name.length + 2, 0);
    expect(bytes.length).toBeLessThan(uncompressedNames);
  });

  it("carries the EDNS payload size of an OPT record", () => {
    const bytes = encodeMessage({ ...message, ednsUdpSize: 1232 });
    expect(decodeMessage(bytes).ednsUdpSize).toBe(1232);
    expect(decodeMessage(bytes).additionals).toHaveLength(2);
  });

  it("lower-cases names", () => {
    const bytes = encodeMessage({ ...message, questions: [{ name: "WEB.Shop.svc.cluster.local", type: RecordType.A, class: 1 }] });
    expect(decodeMessage(bytes).questions[0].name).toBe("web.shop.svc.cluster.local");
  });

  it("refuses truncated messages and compression loops", () => {
    const bytes = encodeMessage(message);
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 3))).toThrow(WireError);
    expect(() => decodeMessage(bytes.subarray(0, 8))).toThrow(WireError);
    // One question whose name is a pointer to itself.
    const loop = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => decodeMessage(loop)).toThrow(/compression loop/);
  });

  it("writes IPv6 addresses with :: expanded", () => {
    expect(ipv6Bytes("fd00::1")).toEqual([0xfd, 0, ...Array(13).fill(0), 1]);
    expect(() => ipv6Bytes("1::2::3")).toThrow(WireError);
  });
});
