import { describe, expect, it } from "vitest";
import type { Pod } from "../../../../src/schema/core.js";
import { podDnsConfig, podDnsHostConfig } from "./pod-dns.js";

const pod = (spec: Partial<Pod["spec"]> = {}): Pod => ({
  metadata: { name: "p", namespace: "shop" },
  spec: { containers: [{ name: "c", image: "busybox" }], ...spec },
});
const options = { clusterDNS: "172.17.0.1", clusterDomain: "cluster.local" };

describe("pod DNS settings", () => {
  it("ClusterFirst: the cluster DNS, the namespace's search path and ndots:5", () => {
    expect(podDnsConfig("shop", "10.96.0.10", "cluster.local")).toEqual({
      Dns: ["10.96.0.10"],
      DnsSearch: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      DnsOptions: ["ndots:5"],
    });
    expect(podDnsHostConfig(pod(), options)).toEqual(podDnsConfig("shop", "172.17.0.1", "cluster.local"));
  });

  it("leaves Docker's defaults when no cluster DNS is configured, for Default, and for host network pods", () => {
    expect(podDnsHostConfig(pod(), { clusterDomain: "cluster.local" })).toEqual({});
    expect(podDnsHostConfig(pod({ dnsPolicy: "Default" }), options)).toEqual({});
    expect(podDnsHostConfig(pod({ hostNetwork: true }), options)).toEqual({});
    expect(podDnsHostConfig(pod({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }), options).Dns).toEqual(["172.17.0.1"]);
  });

  it("merges dnsConfig: nameservers and searches appended, options replaced by name", () => {
    const merged = podDnsHostConfig(
      pod({ dnsConfig: { nameservers: ["192.0.2.9", "172.17.0.1"], searches: ["corp.example"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }),
      options,
    );
    expect(merged).toEqual({
      Dns: ["172.17.0.1", "192.0.2.9"],
      DnsSearch: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"],
      DnsOptions: ["ndots:2", "edns0"],
    });
  });

  it("None: only what dnsConfig says", () => {
    expect(podDnsHostConfig(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["192.0.2.9"], searches: ["a.example"] } }), options)).toEqual({
      Dns: ["192.0.2.9"],
      DnsSearch: ["a.example"],
    });
  });
});
