import { describe, expect, it } from "vitest";
import { clusterDNSIP, kubernetesServiceIP, offsetOf, parseNodePortRange, parseServiceCIDR } from "./service-ip-range.js";

describe("service IP range", () => {
  it("derives the kubernetes Service and cluster DNS addresses from the CIDR", () => {
    expect(kubernetesServiceIP("10.96.0.0/12")).toBe("10.96.0.1");
    expect(clusterDNSIP("10.96.0.0/12")).toBe("10.96.0.10");
    expect(clusterDNSIP("172.20.0.0/16")).toBe("172.20.0.10");
    expect(clusterDNSIP()).toBe("10.96.0.10");
  });

  it("normalises host bits and bounds the usable offsets", () => {
    const r = parseServiceCIDR("10.100.3.4/12");
    expect(r).toEqual({ cidr: "10.96.0.0/12", base: 10 * 2 ** 24 + 96 * 2 ** 16, size: 2 ** 20 });
    expect(offsetOf(r, "10.96.0.0")).toBeUndefined();
    expect(offsetOf(r, "10.111.255.255")).toBeUndefined();
    expect(offsetOf(r, "10.111.255.254")).toBe(2 ** 20 - 2);
    expect(offsetOf(r, "10.112.0.1")).toBeUndefined();
    expect(offsetOf(r, "not-an-ip")).toBeUndefined();
  });

  it("rejects malformed ranges", () => {
    expect(() => parseServiceCIDR("10.96.0.0")).toThrow(/invalid service CIDR/);
    expect(() => parseServiceCIDR("10.96.0.0/33")).toThrow();
    expect(() => parseNodePortRange("32767-30000")).toThrow(/invalid node port range/);
    expect(parseNodePortRange(" 30000-32767 ")).toEqual({ text: "30000-32767", first: 30000, last: 32767 });
  });
});
