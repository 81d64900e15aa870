import { readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KernelProxy, VERIFY_TICKS, type Iptables } from "./kernel-proxy.js";
import { chainNames, type KernelForward } from "./kernel-rules.js";

/** An iptables that records what it is fed; `saved` is what iptables-save prints. */
function fakeIptables(initial = "*nat\nCOMMIT\n*filter\n:DOCKER-USER - [0:0]\nCOMMIT\n") {
  let saved = initial;
  const restores: string[] = [];
  let fail: string | undefined;
  let localhost = 0;
  const iptables: Iptables = {
    save: async () => saved,
    restore: async (rules) => {
      if (fail) throw new Error(fail);
      restores.push(rules);
    },
    allowLocalhostNodePorts: async () => void localhost++,
    bridgeNetfilter: async () => true,
  };
  return { iptables, restores, failWith: (message?: string) => (fail = message), localhost: () => localhost, setSaved: (text: string) => (saved = text) };
}

const forward = (port: number, ...ips: string[]): KernelForward => ({ key: `0.0.0.0:${port}`, port, endpoints: ips.map((ip) => ({ ip, port: 80 })) });

describe("KernelProxy", () => {
  it("sets up its chains once, then writes only when the wanted rules change", async () => {
    const fake = fakeIptables();
    const proxy = new KernelProxy({ nodeName: "n1", iptables: fake.iptables, log: () => {} });
    expect(await proxy.start()).toBe(true);
    expect(fake.localhost()).toBe(1);
    expect(fake.restores).toHaveLength(1); // nothing left from an earlier run to remove: only the setup
    expect(fake.restores[0]).toContain("-I DOCKER-USER 1");

    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    expect(fake.restores).toHaveLength(2);
    expect(fake.restores[1]).toContain("--dport 30080");
  });

  it("coalesces a burst of changes into the latest one", async () => {
    const fake = fakeIptables();
    const proxy = new KernelProxy({ nodeName: "n2", iptables: fake.iptables, log: () => {} });
    await proxy.start();
    const before = fake.restores.length;
    for (let i = 0; i < 10; i++) proxy.apply([forward(30000 + i, "172.17.0.2")]);
    await proxy.settled();
    const written = fake.restores.slice(before);
    expect(written.length).toBeLessThanOrEqual(2);
    expect(written.at(-1)).toContain("--dport 30009");
    expect(written.at(-1)).not.toContain("--dport 30008");
  });

  it("deletes the endpoint chain of a Service port it no longer forwards", async () => {
    const fake = fakeIptables();
    const proxy = new KernelProxy({ nodeName: "n3", iptables: fake.iptables, log: () => {} });
    proxy.apply([forward(30080, "172.17.0.2"), forward(30081, "172.17.0.3")]);
    await proxy.settled();
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    const last = fake.restores.at(-1)!;
    expect(last).toMatch(/^-X KF-SEP-/m);
    proxy.apply([forward(30080, "172.17.0.2"), forward(30082, "172.17.0.4")]);
    await proxy.settled();
    // Already deleted: not named again.
    expect(fake.restores.at(-1)!.match(/^-X /gm) ?? []).toHaveLength(0);
  });

  it("says a failure once, retries on the tick, and says when it recovered", async () => {
    const fake = fakeIptables();
    const lines: string[] = [];
    const proxy = new KernelProxy({ nodeName: "n4", iptables: fake.iptables, log: (line) => lines.push(line) });
    await proxy.start();
    fake.failWith("iptables-restore: resource busy");
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    proxy.retry();
    await proxy.settled();
    expect(lines.filter((line) => line.includes("cannot write"))).toHaveLength(1);
    fake.failWith(undefined);
    proxy.retry();
    await proxy.settled();
    expect(lines.at(-1)).toContain("written again");
    expect(fake.restores.at(-1)).toContain("--dport 30080");
  });

  it("falls back to userspace when setup fails, and writes nothing after", async () => {
    const fake = fakeIptables();
    fake.failWith("iptables-restore: not found");
    const lines: string[] = [];
    const proxy = new KernelProxy({ nodeName: "n5", iptables: fake.iptables, log: (line) => lines.push(line) });
    expect(await proxy.start()).toBe(false);
    expect(lines[0]).toContain("using the userspace proxy only");
    fake.failWith(undefined);
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    expect(fake.restores).toHaveLength(0);
  });

  it("at start removes the rules of agents of this host that died, and keeps those of live ones and other PID namespaces", async () => {
    const dead = chainNames("dead-node");
    const live = chainNames("live-node");
    const elsewhere = chainNames("container-node");
    const pidns = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))![1];
    const deadPid = 2 ** 22 + 12345; // above pid_max's default ceiling: never a live process
    const saved = [
      "*nat",
      `:${dead.services} - [0:0]`,
      `:${live.services} - [0:0]`,
      `:${elsewhere.services} - [0:0]`,
      `-A PREROUTING -m comment --comment "kubeflare:${dead.owner} pid=${deadPid} pidns=${pidns}" -j ${dead.services}`,
      `-A PREROUTING -m comment --comment "kubeflare:${live.owner} pid=1 pidns=${pidns}" -j ${live.services}`,
      `-A PREROUTING -m comment --comment "kubeflare:${elsewhere.owner} pid=${deadPid} pidns=1" -j ${elsewhere.services}`,
      "COMMIT",
    ].join("\n");
    const fake = fakeIptables(saved);
    const lines: string[] = [];
    await new KernelProxy({ nodeName: "n6", iptables: fake.iptables, log: (line) => lines.push(line) }).start();
    const removal = fake.restores[0];
    expect(removal).toContain(`-X ${dead.services}`);
    expect(removal).not.toContain(live.owner);
    expect(removal).not.toContain(elsewhere.owner);
    expect(lines.join("\n")).toContain("removed the iptables rules of 1 agent(s)");
  });

  it("removes its own rules on stop", async () => {
    const names = chainNames("n7");
    const saved = `*nat\n:${names.services} - [0:0]\n-A OUTPUT -m comment --comment "kubeflare:${names.owner} pid=${process.pid} pidns=1" -j ${names.services}\nCOMMIT\n`;
    const fake = fakeIptables(saved);
    const proxy = new KernelProxy({ nodeName: "n7", iptables: fake.iptables, log: () => {} });
    await proxy.start();
    await proxy.stop();
    expect(fake.restores.at(-1)).toContain(`-X ${names.services}`);
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    expect(fake.restores.at(-1)).toContain(`-X ${names.services}`);
  });

  it("checks now and then that its rules are still in the kernel, and writes everything again when they were flushed", async () => {
    const fake = fakeIptables();
    const lines: string[] = [];
    const names = chainNames("n8");
    const proxy = new KernelProxy({ nodeName: "n8", iptables: fake.iptables, log: (line) => lines.push(line) });
    proxy.apply([forward(30080, "172.17.0.2")]);
    await proxy.settled();
    const writes = fake.restores.length;
    // Intact: what the kernel holds names our chains and jumps.
    fake.setSaved(`*nat\n:${names.services} - [0:0]\n-A OUTPUT -j ${names.services}\nCOMMIT\n*filter\n-A DOCKER-USER -j ${names.forward}\nCOMMIT\n`);
    for (let i = 0; i < VERIFY_TICKS; i++) proxy.retry();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await proxy.settled();
    expect(fake.restores.length).toBe(writes);
    // Flushed (a firewall reload): setup and the service rules are written again.
    fake.setSaved("*nat\nCOMMIT\n*filter\nCOMMIT\n");
    for (let i = 0; i < VERIFY_TICKS; i++) proxy.retry();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await proxy.settled();
    expect(lines.some((line) => line.includes("removed by something else"))).toBe(true);
    expect(fake.restores.slice(writes).some((rules) => rules.includes(`-I PREROUTING 1`))).toBe(true);
    expect(fake.restores.at(-1)).toContain("--dport 30080");
  });
});
