/** Cluster DNS: the server, its pure resolver, and pods' resolv.conf settings. */
export { startClusterDns, type ClusterDns, type ClusterDnsOptions } from "./server.js";
export { resolve, CLUSTER_TTL, type Resolution } from "./resolve.js";
export { podDnsConfig, podDnsHostConfig, type DockerDnsFields, type PodDnsOptions } from "./pod-dns.js";
export { hostUpstreams, type Upstream } from "./upstream.js";
