import { describe, expect, it } from "vitest";
import { chainNames, chainsOf, endpointChain, jumps, renderRemoval, renderServiceRules, renderSetup, savedJumps, type KernelForward } from "./kernel-rules.js";

const names = chainNames("node-a");
const owner = { pid: 4242, pidNamespace: "4026531836" };

const clusterIP: KernelForward = { key: "10.96.0.5:80", ip: "10.96.0.5", port: 80, endpoints: [{ ip: "172.17.0.2", port: 8080 }] };
const nodePort: KernelForward = {
  key: "0.0.0.0:30080",
  port: 30080,
  endpoints: [
    { ip: "172.17.0.2", port: 8080 },
    { ip: "172.17.0.3", port: 8080 },
    { ip: "172.17.0.4", port: 8080 },
  ],
};

describe("chainNames", () => {
  it("derives short, distinct chains per node that fit iptables' 28 characters", () => {
    const other = chainNames("node-b");
    expect(names.owner).toMatch(/^[0-9a-f]{8}$/);
    expect(other.owner).not.toBe(names.owner);
    expect(endpointChain(names, nodePort).length).toBeLessThanOrEqual(28);
    expect(endpointChain(names, nodePort)).toMatch(new RegExp(`^KF-SEP-${names.owner}-[0-9a-f]{8}$`));
    expect(chainNames("node-a")).toEqual(names);
  });
});

describe("renderServiceRules", () => {
  const text = renderServiceRules(names, [nodePort, clusterIP], []);
  const lines = text.split("\n");

  it("matches ClusterIPs by address before NodePorts on any local address", () => {
    const matches = lines.filter((line) => line.startsWith(`-A ${names.services} `));
    expect(matches).toEqual([
      `-A ${names.services} -p tcp -d 10.96.0.5/32 --dport 80 -j ${endpointChain(names, clusterIP)}`,
      `-A ${names.services} -p tcp -m addrtype --dst-type LOCAL --dport 30080 -j ${endpointChain(names, nodePort)}`,
    ]);
  });

  it("marks each connection, then gives every endpoint an equal share", () => {
    const chain = endpointChain(names, nodePort);
    expect(lines.filter((line) => line.startsWith(`-A ${chain} `))).toEqual([
      // Hairpin: an endpoint reaching its own Service goes to the userspace listener.
      `-A ${chain} -s 172.17.0.2/32 -j ACCEPT`,
      `-A ${chain} -s 172.17.0.3/32 -j ACCEPT`,
      `-A ${chain} -s 172.17.0.4/32 -j ACCEPT`,
      `-A ${chain} -j CONNMARK --set-xmark 0x40000/0x40000`,
      `-A ${chain} -p tcp -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 172.17.0.2:8080`,
      `-A ${chain} -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 172.17.0.3:8080`,
      `-A ${chain} -p tcp -j DNAT --to-destination 172.17.0.4:8080`,
    ]);
  });

  it("source-NATs only loopback clients (to the host's address)", () => {
    const post = (nat?: Parameters<typeof renderServiceRules>[3]) =>
      renderServiceRules(names, [nodePort, clusterIP], [], nat)
        .split("\n")
        .filter((line) => line.startsWith(`-A ${names.postrouting} `));
    expect(post({ loopbackSource: "192.0.2.10", bridgeNetfilter: true })).toEqual([
      `-A ${names.postrouting} -s 127.0.0.0/8 -m connmark --mark 0x40000/0x40000 -j SNAT --to-source 192.0.2.10`,
    ]);
    // No host address: the bridge's. No br_netfilter: replies between pods of one bridge would skip conntrack, so everything.
    expect(post({ bridgeNetfilter: false })).toEqual([
      `-A ${names.postrouting} -s 127.0.0.0/8 -m connmark --mark 0x40000/0x40000 -j MASQUERADE`,
      `-A ${names.postrouting} -m connmark --mark 0x40000/0x40000 -j MASQUERADE`,
    ]);
  });

  it("declares (so empties) every chain it fills, in one nat transaction", () => {
    expect(lines[0]).toBe("*nat");
    expect(lines).toContain(`:${names.services} - [0:0]`);
    expect(lines).toContain(`:${endpointChain(names, clusterIP)} - [0:0]`);
    expect(lines.at(-2)).toBe("COMMIT");
  });

  it("deletes endpoint chains no longer wanted, and never another agent's", () => {
    const gone = `${names.endpointPrefix}deadbeef`;
    const foreign = `${chainNames("node-b").endpointPrefix}deadbeef`;
    const next = renderServiceRules(names, [clusterIP], [endpointChain(names, nodePort), gone, foreign]).split("\n");
    expect(next).toContain(`-X ${endpointChain(names, nodePort)}`);
    expect(next).toContain(`-X ${gone}`);
    expect(next.join("\n")).not.toContain(foreign);
    // Emptied first (declared), so the delete cannot fail on leftover rules.
    expect(next.indexOf(`:${gone} - [0:0]`)).toBeLessThan(next.indexOf(`-X ${gone}`));
  });

  it("leaves out a forward with no endpoints (the port is refused instead)", () => {
    expect(renderServiceRules(names, [{ ...clusterIP, endpoints: [] }], [])).not.toContain("DNAT");
  });
});

describe("setup, saved jumps and removal", () => {
  const setup = renderSetup(names, owner, "DOCKER-USER");

  it("installs the base chains and tagged jumps into nat and filter", () => {
    expect(setup).toContain(`:${names.postrouting} - [0:0]`);
    expect(setup).toContain(`-A ${names.forward} -m connmark --mark 0x40000/0x40000 -j ACCEPT`);
    expect(setup).toContain(`-I DOCKER-USER 1 -m comment --comment "kubeflare:${names.owner} pid=4242 pidns=4026531836" -j ${names.forward}`);
    expect(setup).toContain(`-A ${names.input} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
    expect(jumps(names, owner, "FORWARD").map((jump) => `${jump.table} ${jump.chain}`)).toEqual([
      "nat PREROUTING",
      "nat OUTPUT",
      "nat POSTROUTING",
      "filter FORWARD",
      "filter INPUT",
    ]);
  });

  // What iptables-save prints once two agents (node-a, node-b) have set up.
  const other = chainNames("node-b");
  const saved = [
    "# Generated by iptables-save v1.8.9 (nf_tables)",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":DOCKER - [0:0]",
    `:${names.services} - [0:0]`,
    `:${names.postrouting} - [0:0]`,
    `:${names.endpointPrefix}0729543f - [0:0]`,
    `:${other.services} - [0:0]`,
    `:${other.postrouting} - [0:0]`,
    `-A PREROUTING -m comment --comment "kubeflare:${names.owner} pid=4242 pidns=4026531836" -j ${names.services}`,
    `-A PREROUTING -m comment --comment "kubeflare:${other.owner} pid=77 pidns=4026531836" -j ${other.services}`,
    "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
    `-A POSTROUTING -m comment --comment "kubeflare:${names.owner} pid=4242 pidns=4026531836" -j ${names.postrouting}`,
    `-A ${names.services} -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 31533 -j ${names.endpointPrefix}0729543f`,
    "COMMIT",
    "*filter",
    ":FORWARD DROP [0:0]",
    `:${names.forward} - [0:0]`,
    `-A FORWARD -m comment --comment "kubeflare:${names.owner} pid=4242 pidns=4026531836" -j ${names.forward}`,
    "COMMIT",
  ].join("\n");

  it("reads whose jumps are whose from iptables-save", () => {
    expect(savedJumps(saved).map((jump) => [jump.table, jump.owner, jump.pid, jump.pidNamespace])).toEqual([
      ["nat", names.owner, 4242, "4026531836"],
      ["nat", other.owner, 77, "4026531836"],
      ["nat", names.owner, 4242, "4026531836"],
      ["filter", names.owner, 4242, "4026531836"],
    ]);
    expect(chainsOf(saved, other.owner).sort()).toEqual([other.postrouting, other.services].sort());
  });

  it("removes one owner's jumps and chains and nothing else", () => {
    const removal = renderRemoval(saved, new Set([names.owner]));
    expect(removal).toContain(`-D PREROUTING -m comment --comment "kubeflare:${names.owner} pid=4242 pidns=4026531836" -j ${names.services}`);
    expect(removal).toContain(`-X ${names.endpointPrefix}0729543f`);
    expect(removal).toContain(`-X ${names.forward}`);
    expect(removal).not.toContain(other.owner);
    expect(removal).not.toContain("DOCKER");
    // Jumps go before the chains they point at.
    expect(removal.indexOf("-D PREROUTING")).toBeLessThan(removal.indexOf(`-X ${names.services}`));
    expect(renderRemoval(saved, new Set(["00000000"]))).toBe("");
  });
});
