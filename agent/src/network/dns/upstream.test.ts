import { describe, expect, it } from "vitest";
import { hostUpstreams, nameserversOf, parseUpstream } from "./upstream.js";

describe("upstream resolvers", () => {
  it("reads nameserver lines, ignoring comments and zone ids", () => {
    const text = "# generated\nsearch corp.example\nnameserver 10.0.0.2 # primary\nnameserver fe80::1%eth0\n;nameserver 9.9.9.9\noptions ndots:1\n";
    expect(nameserversOf(text)).toEqual(["10.0.0.2", "fe80::1"]);
  });

  it("skips loopback resolvers and itself, and finds systemd-resolved's real servers", () => {
    const files: Record<string, string> = {
      "/etc/resolv.conf": "nameserver 127.0.0.53\nnameserver 172.17.0.1\n",
      "/run/systemd/resolve/resolv.conf": "nameserver 192.0.2.53\nnameserver ::1\n",
    };
    expect(hostUpstreams("172.17.0.1", (path) => files[path])).toEqual([{ address: "192.0.2.53", port: 53 }]);
    expect(hostUpstreams("10.9.9.9", (path) => files[path])).toEqual([{ address: "172.17.0.1", port: 53 }]);
    expect(hostUpstreams("10.9.9.9", () => undefined)).toEqual([]);
  });

  it("parses host:port forms", () => {
    expect(parseUpstream("192.0.2.1")).toEqual({ address: "192.0.2.1", port: 53 });
    expect(parseUpstream("127.0.0.1:5353")).toEqual({ address: "127.0.0.1", port: 5353 });
    expect(parseUpstream("2001:db8::1")).toEqual({ address: "2001:db8::1", port: 53 });
    expect(parseUpstream("[::1]:5300")).toEqual({ address: "::1", port: 5300 });
  });
});
