/** Rows for the simpler core/v1 kinds: Namespace, Node, ConfigMap, Secret, ServiceAccount, Event. */
import type { ConfigMap, Event, Namespace, Node, Secret, ServiceAccount } from "../../schema/core.js";
import type { KubeObject } from "../../schema/meta.js";
import { since } from "./duration.js";
import { type Printer, ageColumn, column, nameColumn } from "./types.js";

const count = (m: object | null | undefined) => Object.keys(m ?? {}).length;

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
  print(obj: KubeObject, now: number) {
    const ns = obj as Namespace;
    return { cells: [ns.metadata.name, ns.status?.phase ?? "", since(ns.metadata.creationTimestamp, now)] };
  },
};

const nodeRolePrefix = "node-role.kubernetes.io/";
const nodeRoleLabel = "kubernetes.io/role";

/** `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role=<role>`, sorted and unique. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(nodeRolePrefix)) {
      const role = k.slice(nodeRolePrefix.length);
      if (role) roles.add(role);
    } else if (k === nodeRoleLabel && v !== "") {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(node: Node): string {
  const status: string[] = [];
  // The last Ready condition wins, as when upstream builds its condition map.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === "Ready").pop();
  if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
  else status.push("Unknown");
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

const nodeAddress = (node: Node, type: string) =>
  node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    ageColumn(),
    column("Version", "string", "Kubelet Version reported by the node."),
    column("Internal-IP", "string", "List of addresses reachable to the node.", { priority: 1 }),
    column("External-IP", "string", "List of addresses reachable to the node.", { priority: 1 }),
    column("OS-Image", "string", "OS Image reported by the node from /etc/os-release.", { priority: 1 }),
    column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r'.", { priority: 1 }),
    column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API.", {
      priority: 1,
    }),
  ],
  print(obj: KubeObject, now: number) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    return {
      cells: [
        node.metadata.name,
        nodeStatus(node),
        nodeRoles(node).join(",") || "<none>",
        since(node.metadata.creationTimestamp, now),
        info.kubeletVersion ?? "",
        nodeAddress(node, "InternalIP"),
        nodeAddress(node, "ExternalIP"),
        info.osImage || "<unknown>",
        info.kernelVersion || "<unknown>",
        info.containerRuntimeVersion || "<unknown>",
      ],
    };
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column("Data", "string", "Data contains the configuration data."), ageColumn()],
  print(obj: KubeObject, now: number) {
    const cm = obj as ConfigMap;
    return { cells: [cm.metadata.name, count(cm.data) + count(cm.binaryData), since(cm.metadata.creationTimestamp, now)] };
  },
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Type", "string", "Used to facilitate programmatic handling of secret data."),
    column("Data", "string", "Data contains the secret data."),
    ageColumn(),
  ],
  print(obj: KubeObject, now: number) {
    const s = obj as Secret;
    return { cells: [s.metadata.name, s.type ?? "", count(s.data), since(s.metadata.creationTimestamp, now)] };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), column("Secrets", "string", "Secrets is a list of the secrets in the same namespace."), ageColumn()],
  print(obj: KubeObject, now: number) {
    const sa = obj as ServiceAccount;
    return { cells: [sa.metadata.name, (sa.secrets ?? []).length, since(sa.metadata.creationTimestamp, now)] };
  },
};

/** "kubelet, node1"; the newer reporting fields stand in for an empty source. */
function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || "";
  const instance = e.source?.host || e.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns: [
    column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
    column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
    column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column("Object", "string", "The object that this event is about."),
    column("Subobject", "string", "The sub-object of the involved object this event is about, if any.", { priority: 1 }),
    column("Source", "string", "The component reporting this event.", { priority: 1 }),
    column("Message", "string", "A human-readable description of the status of this operation."),
    column("First Seen", "string", "The time at which the event was first recorded.", { priority: 1 }),
    column("Count", "string", "The number of times this event has occurred.", { priority: 1 }),
    nameColumn({ priority: 1 }),
  ],
  print(obj: KubeObject, now: number) {
    const e = obj as Event;
    const series = e.series as { count?: number; lastObservedTime?: string } | undefined;
    const firstSeen = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let lastSeen = e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen;
    let n = e.count ?? 0;
    if (series) {
      lastSeen = since(series.lastObservedTime, now);
      n = series.count ?? 0;
    } else if (n === 0) {
      // Singleton events from the events.k8s.io API carry no count.
      n = 1;
    }
    const kind = (e.involvedObject.kind ?? "").toLowerCase();
    const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
    return {
      cells: [
        lastSeen,
        e.type ?? "",
        e.reason ?? "",
        target,
        e.involvedObject.fieldPath ?? "",
        eventSource(e),
        (e.message ?? "").trim(),
        firstSeen,
        n,
        e.metadata.name,
      ],
    };
  },
};
