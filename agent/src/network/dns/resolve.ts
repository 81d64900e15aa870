/**
 * Answers for names in the cluster domain, as CoreDNS' kubernetes plugin
 * gives them (the DNS-based service discovery spec,
 * github.com/kubernetes/dns/blob/master/docs/specification.md). Pure: reads
 * the NetworkView and returns records; the server does the I/O.
 */
import type { Endpoints, Service } from "../../../../src/schema/core.js";
import type { NetworkView } from "../view.js";
import { Rcode, RecordType, type Question, type ResourceRecord, type SoaData } from "./wire.js";

/** Kubernetes' records change as pods come and go; CoreDNS' default TTL. */
export const CLUSTER_TTL = 5;

export type Resolution =
  | {
      kind: "answer";
      rcode: number;
      answers: ResourceRecord[];
      authorities: ResourceRecord[];
      additionals: ResourceRecord[];
      /**
       * An ExternalName Service's target outside the cluster domain: the
       * server resolves it upstream and appends those records after the
       * CNAME, as CoreDNS does.
       */
      chase?: string;
    }
  /** Not the cluster's to answer: send the query to the upstream resolvers. */
  | { kind: "forward" };

/** Longest ExternalName → ExternalName chain followed inside the cluster domain. */
const MAX_CNAME_DEPTH = 8;

export function resolve(view: NetworkView, question: Question): Resolution {
  return resolveName(view, question.name.toLowerCase().replace(/\.$/, ""), question.type, 0);
}

function resolveName(view: NetworkView, name: string, type: number, depth: number): Resolution {
  const domain = view.clusterDomain.toLowerCase();
  if (name.endsWith(".in-addr.arpa")) return reverse(view, name, type);
  if (name !== domain && !name.endsWith(`.${domain}`)) return { kind: "forward" };
  const labels = name === domain ? [] : name.slice(0, -domain.length - 1).split(".");
  const zone = new Zone(view, name, type);
  if (labels.length === 0) {
    return type === RecordType.SOA || type === RecordType.ANY ? zone.answer([soaRecord(domain, domain)]) : zone.noData();
  }
  const kind = labels[labels.length - 1];
  if (kind === "svc") return serviceNames(zone, labels.slice(0, -1), depth);
  if (kind === "pod") return podNames(zone, labels.slice(0, -1));
  return zone.nxDomain();
}

/** Builds answers for one question name: the common NOERROR/NODATA/NXDOMAIN shapes. */
class Zone {
  readonly domain: string;
  constructor(
    readonly view: NetworkView,
    readonly name: string,
    readonly type: number,
  ) {
    this.domain = view.clusterDomain.toLowerCase();
  }
  answer(answers: ResourceRecord[], additionals: ResourceRecord[] = []): Resolution {
    if (answers.length === 0) return this.noData();
    return { kind: "answer", rcode: Rcode.NOERROR, answers, authorities: [], additionals };
  }
  /** The name exists, but has no records of the asked type; the SOA lets resolvers cache that. */
  noData(): Resolution {
    return { kind: "answer", rcode: Rcode.NOERROR, answers: [], authorities: [soaRecord(this.domain, this.domain)], additionals: [] };
  }
  nxDomain(): Resolution {
    return { kind: "answer", rcode: Rcode.NXDOMAIN, answers: [], authorities: [soaRecord(this.domain, this.domain)], additionals: [] };
  }
  /** A/AAAA records of `name` for `addresses`, keeping only those of the asked family. */
  addressRecords(name: string, addresses: string[]): ResourceRecord[] {
    const wantsV4 = this.type === RecordType.A || this.type === RecordType.ANY;
    const wantsV6 = this.type === RecordType.AAAA || this.type === RecordType.ANY;
    return addresses.flatMap((address): ResourceRecord[] => {
      const v6 = address.includes(":");
      if (v6 ? !wantsV6 : !wantsV4) return [];
      return [{ name, type: v6 ? RecordType.AAAA : RecordType.A, ttl: CLUSTER_TTL, data: address }];
    });
  }
}

function soaRecord(name: string, domain: string): ResourceRecord {
  const data: SoaData = {
    mname: `ns.dns.${domain}`,
    rname: `hostmaster.${domain}`,
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: CLUSTER_TTL,
  };
  return { name, type: RecordType.SOA, ttl: CLUSTER_TTL, data };
}

function serviceNames(zone: Zone, labels: string[], depth: number): Resolution {
  const { view } = zone;
  // "svc.<domain>" and "<ns>.svc.<domain>" are empty non-terminals while a Service lives below them.
  if (labels.length === 0) return zone.noData();
  if (labels.length === 1) {
    return view.services().some((service) => service.metadata.namespace === labels[0]) ? zone.noData() : zone.nxDomain();
  }
  const [namespace, serviceName] = [labels[labels.length - 1], labels[labels.length - 2]];
  const service = view.service(namespace, serviceName);
  if (!service) return zone.nxDomain();
  if (labels.length === 2) return serviceRecords(zone, service, depth);
  if (labels.length === 3) return endpointRecords(zone, service, labels[0]);
  if (labels.length === 4 && labels[0].startsWith("_") && labels[1].startsWith("_")) {
    return portRecords(zone, service, labels[0].slice(1), labels[1].slice(1));
  }
  return zone.nxDomain();
}

function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === "None";
}

function clusterIPs(service: Service): string[] {
  const ips = service.spec?.clusterIPs?.length ? service.spec.clusterIPs : [service.spec?.clusterIP ?? ""];
  return ips.filter((ip) => ip !== "" && ip !== "None");
}

function serviceDomainName(zone: Zone, service: Service): string {
  return `${service.metadata.name}.${service.metadata.namespace}.svc.${zone.domain}`;
}

interface ReadyEndpoint {
  ip: string;
  /** The endpoint's DNS label: its hostname, or its IP with dashes. */
  label: string;
  /** Endpoint ports by "name/protocol". */
  ports: Map<string, number>;
}

function readyEndpoints(service: Service, endpoints: Endpoints | undefined): ReadyEndpoint[] {
  const result: ReadyEndpoint[] = [];
  const publishNotReady = !!service.spec?.publishNotReadyAddresses;
  for (const subset of endpoints?.subsets ?? []) {
    const ports = new Map(
      (subset.ports ?? []).map((port) => [`${(port.name ?? "").toLowerCase()}/${(port.protocol ?? "TCP").toLowerCase()}`, port.port]),
    );
    const addresses = [...(subset.addresses ?? []), ...(publishNotReady ? (subset.notReadyAddresses ?? []) : [])];
    for (const address of addresses) {
      result.push({ ip: address.ip, label: (address.hostname ?? dashed(address.ip)).toLowerCase(), ports });
    }
  }
  return result;
}

function dashed(ip: string): string {
  return ip.replace(/[.:]/g, "-");
}

function serviceRecords(zone: Zone, service: Service, depth: number): Resolution {
  const name = zone.name;
  if (service.spec?.type === "ExternalName") return externalName(zone, service, depth);
  if (isHeadless(service)) {
    const endpoints = readyEndpoints(service, zone.view.endpoints(service.metadata.namespace ?? "", service.metadata.name ?? ""));
    // CoreDNS has no records for a headless Service until it has endpoints.
    if (endpoints.length === 0) return zone.nxDomain();
    if (zone.type === RecordType.SRV) {
      const records = endpoints.flatMap((endpoint) =>
        [...endpoint.ports].filter(([key]) => !key.startsWith("/")).map(([, port]) => srvRecord(name, port, `${endpoint.label}.${name}`, endpoints.length)),
      );
      return zone.answer(records, endpoints.flatMap((endpoint) => addressesFor(zone, `${endpoint.label}.${name}`, [endpoint.ip])));
    }
    return zone.answer(zone.addressRecords(name, endpoints.map((endpoint) => endpoint.ip)));
  }
  if (zone.type === RecordType.SRV) {
    const records = (service.spec?.ports ?? []).filter((port) => port.name).map((port) => srvRecord(name, port.port, name, 1));
    return zone.answer(records, addressesFor(zone, name, clusterIPs(service)));
  }
  return zone.answer(zone.addressRecords(name, clusterIPs(service)));
}

/** A records for the additional section of SRV answers, whatever type was asked. */
function addressesFor(zone: Zone, name: string, addresses: string[]): ResourceRecord[] {
  return addresses.map((address) => ({ name, type: address.includes(":") ? RecordType.AAAA : RecordType.A, ttl: CLUSTER_TTL, data: address }));
}

function srvRecord(name: string, port: number, target: string, count: number): ResourceRecord {
  return { name, type: RecordType.SRV, ttl: CLUSTER_TTL, data: { priority: 0, weight: Math.max(1, Math.floor(100 / count)), port, target } };
}

function externalName(zone: Zone, service: Service, depth: number): Resolution {
  const target = (service.spec?.externalName ?? "").toLowerCase().replace(/\.$/, "");
  if (target === "") return zone.noData();
  const cname: ResourceRecord = { name: zone.name, type: RecordType.CNAME, ttl: CLUSTER_TTL, data: target };
  if (zone.type === RecordType.CNAME) return zone.answer([cname]);
  const inCluster = target === zone.domain || target.endsWith(`.${zone.domain}`);
  if (!inCluster) return { kind: "answer", rcode: Rcode.NOERROR, answers: [cname], authorities: [], additionals: [], chase: target };
  if (depth >= MAX_CNAME_DEPTH) return zone.answer([cname]);
  const next = resolveName(zone.view, target, zone.type, depth + 1);
  if (next.kind !== "answer") return zone.answer([cname]);
  return { ...next, rcode: next.rcode === Rcode.NXDOMAIN ? Rcode.NOERROR : next.rcode, answers: [cname, ...next.answers] };
}

/** `<hostname or dashed-ip>.<svc>.<ns>.svc.<domain>`: one endpoint of a headless Service. */
function endpointRecords(zone: Zone, service: Service, label: string): Resolution {
  if (!isHeadless(service)) return zone.nxDomain();
  const endpoints = readyEndpoints(service, zone.view.endpoints(service.metadata.namespace ?? "", service.metadata.name ?? ""));
  const matching = endpoints.filter((endpoint) => endpoint.label === label);
  if (matching.length === 0) return zone.nxDomain();
  return zone.answer(zone.addressRecords(zone.name, matching.map((endpoint) => endpoint.ip)));
}

/** `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV records of a named port. */
function portRecords(zone: Zone, service: Service, portName: string, protocol: string): Resolution {
  const servicePort = (service.spec?.ports ?? []).find(
    (port) => (port.name ?? "").toLowerCase() === portName && (port.protocol ?? "TCP").toLowerCase() === protocol,
  );
  if (!servicePort || service.spec?.type === "ExternalName") return zone.nxDomain();
  const serviceName = serviceDomainName(zone, service);
  if (zone.type !== RecordType.SRV && zone.type !== RecordType.ANY) return zone.noData();
  if (!isHeadless(service)) {
    return zone.answer([srvRecord(zone.name, servicePort.port, serviceName, 1)], addressesFor(zone, serviceName, clusterIPs(service)));
  }
  const key = `${portName}/${protocol}`;
  const endpoints = readyEndpoints(service, zone.view.endpoints(service.metadata.namespace ?? "", service.metadata.name ?? "")).filter(
    (endpoint) => endpoint.ports.has(key),
  );
  if (endpoints.length === 0) return zone.nxDomain();
  return zone.answer(
    endpoints.map((endpoint) => srvRecord(zone.name, endpoint.ports.get(key)!, `${endpoint.label}.${serviceName}`, endpoints.length)),
    endpoints.flatMap((endpoint) => addressesFor(zone, `${endpoint.label}.${serviceName}`, [endpoint.ip])),
  );
}

/**
 * `<a-b-c-d>.<ns>.pod.<domain>`: CoreDNS' default "pods insecure" mode
 * answers any well-formed address without looking the pod up.
 */
function podNames(zone: Zone, labels: string[]): Resolution {
  if (labels.length !== 2) return labels.length < 2 ? zone.noData() : zone.nxDomain();
  const ip = labels[0].split("-").join(".");
  const parts = ip.split(".");
  const valid = parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
  if (!valid) return zone.nxDomain();
  return zone.answer(zone.addressRecords(zone.name, [parts.map(Number).join(".")]));
}

/** PTR for Service cluster IPs and headless endpoints; other addresses are the upstream's. */
function reverse(view: NetworkView, name: string, type: number): Resolution {
  const octets = name.slice(0, -".in-addr.arpa".length).split(".");
  if (octets.length !== 4) return { kind: "forward" };
  const ip = octets.reverse().join(".");
  const domain = view.clusterDomain.toLowerCase();
  const targets: string[] = [];
  for (const service of view.services()) {
    const base = `${service.metadata.name}.${service.metadata.namespace}.svc.${domain}`;
    if (clusterIPs(service).includes(ip)) targets.push(base);
    else if (isHeadless(service)) {
      const endpoints = readyEndpoints(service, view.endpoints(service.metadata.namespace ?? "", service.metadata.name ?? ""));
      for (const endpoint of endpoints) if (endpoint.ip === ip) targets.push(`${endpoint.label}.${base}`);
    }
  }
  if (targets.length === 0) return { kind: "forward" };
  const answers: ResourceRecord[] =
    type === RecordType.PTR || type === RecordType.ANY ? targets.map((target) => ({ name, type: RecordType.PTR, ttl: CLUSTER_TTL, data: target })) : [];
  return { kind: "answer", rcode: Rcode.NOERROR, answers, authorities: [], additionals: [] };
}
