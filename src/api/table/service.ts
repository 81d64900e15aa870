/** Service and Endpoints rows: cluster IP, external IP, `80:30080/TCP` ports, endpoint lists. */
import type { Endpoints, Service } from "../../schema/core.js";
import type { KubeObject } from "../../schema/meta.js";
import { formatLabels } from "../selectors/labels.js";
import { since } from "./duration.js";
import { type Printer, ageColumn, column, joinHostPort, nameColumn } from "./types.js";

type LoadBalancerIngress = { ip?: string; hostname?: string }[] | undefined;

/** Sorted, de-duplicated IPs (or hostnames). The server renders wide, so nothing is clipped. */
export function loadBalancerAddresses(ingress: LoadBalancerIngress): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(",");
}

/** External-IP: `<none>` unless set, `<pending>` for a LoadBalancer awaiting its address. */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length) return [...(lb ? lb.split(",") : []), ...externalIPs].join(",");
      return lb || "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/** `80/TCP`, or `80:30080/TCP` when a node port is allocated. */
export function servicePorts(svc: Service): string {
  const ports = (svc.spec?.ports ?? []).map((p) => {
    const protocol = p.protocol ?? "TCP";
    return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return ports.join(",") || "<none>";
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    column("Type", "string", "type determines how the Service is exposed."),
    column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
    column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    column("Port(s)", "string", "The list of ports that are exposed by this service."),
    ageColumn(),
    column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", {
      priority: 1,
    }),
  ],
  print(obj: KubeObject, now: number) {
    const svc = obj as Service;
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || "<none>";
    return {
      cells: [
        svc.metadata.name,
        svc.spec?.type ?? "ClusterIP",
        clusterIP,
        serviceExternalIP(svc),
        servicePorts(svc),
        since(svc.metadata.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

/** Up to three `ip:port` pairs, then "+ N more..."; `<none>` without subsets (formatEndpoints). */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    // Headless services may have no ports: list bare IPs.
    const pairs =
      (ss.ports ?? []).length === 0
        ? addresses.map((a) => a.ip)
        : (ss.ports ?? []).flatMap((p) => addresses.map((a) => joinHostPort(a.ip, p.port)));
    count += pairs.length;
    for (const pair of pairs) if (list.length < max) list.push(pair);
  }
  const shown = list.join(",");
  return count > max ? `${shown} + ${count - max} more...` : shown;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column("Endpoints", "string", "The set of all endpoints is the union of all subsets."), ageColumn()],
  print(obj: KubeObject, now: number) {
    const ep = obj as Endpoints;
    return { cells: [ep.metadata.name, formatEndpoints(ep), since(ep.metadata.creationTimestamp, now)] };
  },
};
