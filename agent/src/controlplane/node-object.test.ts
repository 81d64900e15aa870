import { describe, expect, it } from "vitest";
import { buildNode, goArch, nodeStatus, pickInternalIP, type NodeFacts } from "./node-object.js";

const facts: NodeFacts = {
  hostname: "box-1",
  internalIP: "10.0.0.7",
  cpus: 4,
  memoryBytes: 8 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  osImage: "Debian GNU/Linux 12 (bookworm)",
  kernelVersion: "6.1.0",
  architecture: "amd64",
  operatingSystem: "linux",
  dockerVersion: "28.2.2",
  machineID: "m",
  systemUUID: "s",
  bootID: "b",
};
const identity = { nodeName: "box-1", labels: { zone: "a" }, agentVersion: "0.1.0" };

describe("buildNode", () => {
  const node = buildNode(facts, identity, "2026-01-01T00:00:00Z");

  it("labels the node like the kubelet, plus the given labels", () => {
    expect(node.metadata.labels).toMatchObject({
      "kubernetes.io/hostname": "box-1",
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      zone: "a",
    });
  });

  it("reports capacity, addresses, nodeInfo and a Ready condition", () => {
    expect(node.status?.capacity).toEqual({ cpu: "4", memory: "8388608Ki", pods: "110", "ephemeral-storage": "104857600Ki" });
    expect(node.status?.allocatable).toEqual(node.status?.capacity);
    expect(node.status?.addresses).toEqual([
      { type: "InternalIP", address: "10.0.0.7" },
      { type: "Hostname", address: "box-1" },
    ]);
    expect(node.status?.nodeInfo).toMatchObject({
      containerRuntimeVersion: "docker://28.2.2",
      kubeletVersion: "v1.32.0-kubeflare-0.1.0",
      operatingSystem: "linux",
      architecture: "amd64",
      osImage: "Debian GNU/Linux 12 (bookworm)",
    });
    expect(node.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
  });

  it("keeps lastTransitionTime across updates and moves lastHeartbeatTime", () => {
    const later = nodeStatus(facts, identity, "2026-01-01T00:05:00Z", node.status);
    const ready = later.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ lastTransitionTime: "2026-01-01T00:00:00Z", lastHeartbeatTime: "2026-01-01T00:05:00Z" });
  });
});

describe("machine facts", () => {
  it("maps architectures to GOARCH", () => {
    expect(goArch("x64")).toBe("amd64");
    expect(goArch("arm64")).toBe("arm64");
  });

  it("picks the first real IPv4 address, skipping Docker bridges and loopback", () => {
    expect(
      pickInternalIP({
        lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
        docker0: [{ address: "172.17.0.1", family: "IPv4", internal: false }],
        eth0: [
          { address: "fe80::1", family: "IPv6", internal: false },
          { address: "192.168.1.20", family: "IPv4", internal: false },
        ],
      }),
    ).toBe("192.168.1.20");
    expect(pickInternalIP({})).toBe("127.0.0.1");
  });
});
