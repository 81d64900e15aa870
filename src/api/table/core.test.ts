import { describe, expect, it } from "vitest";
import type { Event, Node } from "../../schema/core.js";
import {
  configMapPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
} from "./core.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
const meta = (name: string, age: number, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${name}`,
  resourceVersion: "7",
  creationTimestamp: ago(age),
  ...extra,
});

function node(opts: { ready?: string; unschedulable?: boolean; labels?: Record<string, string>; bare?: boolean } = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta("node1", 5 * 86400, { labels: { "kubernetes.io/hostname": "node1", ...opts.labels } }),
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: opts.bare
      ? {}
      : {
          conditions: [
            { type: "MemoryPressure", status: "False" },
            ...(opts.ready ? [{ type: "Ready", status: opts.ready, reason: "KubeletReady" }] : []),
          ],
          addresses: [
            { type: "InternalIP", address: "192.168.1.10" },
            { type: "Hostname", address: "node1" },
          ],
          nodeInfo: {
            kubeletVersion: "v1.32.0-kubeflare",
            osImage: "Ubuntu 24.04 LTS",
            kernelVersion: "6.8.0-45-generic",
            containerRuntimeVersion: "docker://27.3.1",
          },
        },
  };
}

describe("Node row", () => {
  it("renders a ready worker", () => {
    expect(nodePrinter.print(node({ ready: "True" }), now).cells).toEqual([
      "node1",
      "Ready",
      "<none>",
      "5d",
      "v1.32.0-kubeflare",
      "192.168.1.10",
      "<none>",
      "Ubuntu 24.04 LTS",
      "6.8.0-45-generic",
      "docker://27.3.1",
    ]);
  });

  it("shows NotReady, Unknown and a cordoned node", () => {
    expect(nodePrinter.print(node({ ready: "False" }), now).cells[1]).toBe("NotReady");
    expect(nodePrinter.print(node({ ready: "Unknown" }), now).cells[1]).toBe("NotReady");
    expect(nodePrinter.print(node({}), now).cells[1]).toBe("Unknown");
    expect(nodePrinter.print(node({ ready: "True", unschedulable: true }), now).cells[1]).toBe("Ready,SchedulingDisabled");
  });

  it("lists roles from node-role labels and kubernetes.io/role, sorted", () => {
    const labels = {
      "node-role.kubernetes.io/worker": "",
      "node-role.kubernetes.io/control-plane": "",
      "node-role.kubernetes.io/": "",
      "kubernetes.io/role": "edge",
    };
    expect(nodePrinter.print(node({ ready: "True", labels }), now).cells[2]).toBe("control-plane,edge,worker");
  });

  it("fills unknown node info with <unknown> and <none>", () => {
    expect(nodePrinter.print(node({ bare: true }), now).cells.slice(1)).toEqual([
      "Unknown",
      "<none>",
      "5d",
      "",
      "<none>",
      "<none>",
      "<unknown>",
      "<unknown>",
      "<unknown>",
    ]);
  });
});

describe("Namespace, ConfigMap, Secret, ServiceAccount rows", () => {
  it("Namespace: name, phase, age", () => {
    const ns = { metadata: meta("team-a", 3600 * 3 + 240), status: { phase: "Active" } };
    expect(namespacePrinter.print(ns, now).cells).toEqual(["team-a", "Active", "3h4m"]);
    const terminating = { metadata: meta("old", 90), status: { phase: "Terminating" } };
    expect(namespacePrinter.print(terminating, now).cells[1]).toBe("Terminating");
  });

  it("ConfigMap: counts data and binaryData keys", () => {
    const cm = { metadata: meta("app-cfg", 120), data: { key1: "val1", key2: "val2" }, binaryData: { logo: "iVBO" } };
    expect(configMapPrinter.print(cm, now).cells).toEqual(["app-cfg", 3, "2m"]);
    expect(configMapPrinter.print({ metadata: meta("empty", 5) }, now).cells).toEqual(["empty", 0, "5s"]);
  });

  it("Secret: type and number of keys", () => {
    const s = { metadata: meta("db", 600), type: "Opaque", data: { password: "czNjcjN0" } };
    expect(secretPrinter.print(s, now).cells).toEqual(["db", "Opaque", 1, "10m"]);
    const tls = { metadata: meta("tls", 60), type: "kubernetes.io/tls", data: { "tls.crt": "x", "tls.key": "y" } };
    expect(secretPrinter.print(tls, now).cells.slice(1, 3)).toEqual(["kubernetes.io/tls", 2]);
  });

  it("ServiceAccount: number of secrets", () => {
    expect(serviceAccountPrinter.print({ metadata: meta("default", 86400 * 30) }, now).cells).toEqual(["default", 0, "30d"]);
    const sa = { metadata: meta("builder", 30), secrets: [{ name: "builder-token" }] };
    expect(serviceAccountPrinter.print(sa, now).cells[1]).toBe(1);
  });
});

describe("Event row", () => {
  const event = (extra: Partial<Event> = {}): Event => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: meta("nginx.17f3a", 300, { namespace: "default" }),
    involvedObject: { kind: "Pod", namespace: "default", name: "nginx", apiVersion: "v1", uid: "8c5e", fieldPath: "spec.containers{nginx}" },
    reason: "Pulled",
    message: "Container image \"nginx:1.25\" already present on machine\n",
    source: { component: "kubelet", host: "node1" },
    firstTimestamp: ago(302),
    lastTimestamp: ago(5),
    count: 4,
    type: "Normal",
    ...extra,
  });

  it("renders Last Seen, Type, Reason, Object and Message, then the wide columns", () => {
    expect(eventPrinter.print(event(), now).cells).toEqual([
      "5s",
      "Normal",
      "Pulled",
      "pod/nginx",
      "spec.containers{nginx}",
      "kubelet, node1",
      'Container image "nginx:1.25" already present on machine',
      "5m2s",
      4,
      "nginx.17f3a",
    ]);
  });

  it("falls back to eventTime, the first time and a count of 1 for new-style events", () => {
    const e = event({
      firstTimestamp: null,
      lastTimestamp: null,
      count: undefined,
      eventTime: ago(42),
      source: {},
      reportingComponent: "default-scheduler",
      reportingInstance: "",
      reason: "Scheduled",
      message: "Successfully assigned default/nginx to node1",
    });
    const cells = eventPrinter.print(e, now).cells;
    expect(cells[0]).toBe("42s");
    expect(cells[5]).toBe("default-scheduler");
    expect(cells[7]).toBe("42s");
    expect(cells[8]).toBe(1);
  });

  it("uses the series for repeated events", () => {
    const e = event({ series: { count: 12, lastObservedTime: ago(3) } });
    const cells = eventPrinter.print(e, now).cells;
    expect([cells[0], cells[8]]).toEqual(["3s", 12]);
  });

  it("names only the kind when the object has no name", () => {
    const e = event({ involvedObject: { kind: "Node" } });
    expect(eventPrinter.print(e, now).cells[3]).toBe("node");
  });

  it("puts Name last with format name and priority 1", () => {
    const name = eventPrinter.columns[eventPrinter.columns.length - 1];
    expect([name.name, name.format, name.priority]).toEqual(["Name", "name", 1]);
    expect(eventPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      "Last Seen",
      "Type",
      "Reason",
      "Object",
      "Message",
    ]);
  });
});
