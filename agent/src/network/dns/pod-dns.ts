/**
 * A pod's /etc/resolv.conf as the kubelet writes it (pkg/kubelet/network/dns),
 * expressed as Docker HostConfig fields for the pod's infra container; app
 * containers share its network namespace and so its resolv.conf.
 */
import type { Pod } from "../../../../src/schema/core.js";

export interface DockerDnsFields {
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
}

/** resolv.conf limits the kubelet enforces (glibc reads three nameservers; Kubernetes ≥1.28 allows 32 search domains). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

/** The ClusterFirst resolv.conf: the cluster DNS, the namespace's search path, ndots:5. */
export function podDnsConfig(namespace: string, clusterDnsIP: string, clusterDomain: string): Required<DockerDnsFields> {
  return {
    Dns: [clusterDnsIP],
    DnsSearch: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain],
    DnsOptions: ["ndots:5"],
  };
}

export interface PodDnsOptions {
  /** The cluster DNS server's address; without it pods keep Docker's default (the host's resolvers). */
  clusterDNS?: string;
  clusterDomain: string;
}

interface PodDnsConfigSpec {
  nameservers?: string[];
  searches?: string[];
  options?: { name?: string; value?: string }[];
}

/**
 * The Docker DNS fields for a pod, by spec.dnsPolicy: ClusterFirst (the
 * default; host network pods fall back to Default, as in Kubernetes),
 * ClusterFirstWithHostNet, Default (Docker's copy of the host's resolv.conf)
 * and None; spec.dnsConfig is then merged in as the kubelet does. An empty
 * object leaves Docker's defaults alone.
 */
export function podDnsHostConfig(pod: Pod, options: PodDnsOptions): DockerDnsFields {
  const policy = pod.spec.dnsPolicy ?? "ClusterFirst";
  const namespace = pod.metadata.namespace ?? "default";
  const clusterFirst =
    options.clusterDNS !== undefined &&
    (policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !pod.spec.hostNetwork));
  const base: Required<DockerDnsFields> = clusterFirst
    ? podDnsConfig(namespace, options.clusterDNS!, options.clusterDomain)
    : { Dns: [], DnsSearch: [], DnsOptions: [] };
  const extra = (pod.spec.dnsConfig ?? {}) as PodDnsConfigSpec;
  const merged: Required<DockerDnsFields> = {
    Dns: unique([...base.Dns, ...(extra.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    DnsSearch: unique([...base.DnsSearch, ...(extra.searches ?? [])]).slice(0, MAX_SEARCHES),
    DnsOptions: mergeOptions(base.DnsOptions, extra.options ?? []),
  };
  // Empty fields are left out, so Docker keeps the host's values for them (policy Default).
  const fields: DockerDnsFields = {};
  if (merged.Dns.length > 0) fields.Dns = merged.Dns;
  if (merged.DnsSearch.length > 0) fields.DnsSearch = merged.DnsSearch;
  if (merged.DnsOptions.length > 0) fields.DnsOptions = merged.DnsOptions;
  return fields;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ""))];
}

/** Options by name, the pod's replacing the policy's ("ndots:2" over "ndots:5"). */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const option of base) byName.set(option.split(":")[0], option);
  for (const option of extra) {
    if (!option.name) continue;
    byName.set(option.name, option.value !== undefined && option.value !== "" ? `${option.name}:${option.value}` : option.name);
  }
  return [...byName.values()];
}
