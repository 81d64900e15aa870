/**
 * The Service IP range and node port range as configured (SERVICE_CIDR,
 * SERVICE_NODE_PORT_RANGE), and the two well-known addresses every
 * component derives from the range the same way: the first usable address
 * is the `kubernetes` Service's, the tenth is cluster DNS's (kubeadm's rule).
 * Pure and dependency-free so the agent can import it too.
 */

export const DEFAULT_SERVICE_CIDR = "10.96.0.0/12";
export const DEFAULT_NODE_PORT_RANGE = "30000-32767";

export interface IPRange {
  /** The CIDR as configured, for messages. */
  cidr: string;
  /** Network address as an unsigned 32-bit number. */
  base: number;
  /** Number of addresses in the block, network and broadcast included. */
  size: number;
}

export interface PortRange {
  text: string;
  first: number;
  last: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIPv4 = (s: unknown): s is string => typeof s === "string" && IPV4.test(s);

export function ipToNumber(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function numberToIP(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Parses an IPv4 CIDR ("10.96.0.0/12"); host bits are ignored as net.ParseCIDR does. */
export function parseServiceCIDR(cidr: string): IPRange {
  const [ip, bits] = cidr.trim().split("/");
  const prefix = Number(bits);
  if (!isIPv4(ip) || !Number.isInteger(prefix) || prefix < 1 || prefix > 30 || String(prefix) !== bits)
    throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 block like 10.96.0.0/12 (prefix 1..30)`);
  const size = 2 ** (32 - prefix);
  const base = ipToNumber(ip) - (ipToNumber(ip) % size);
  return { cidr: `${numberToIP(base)}/${prefix}`, base, size };
}

/** Parses "30000-32767" (a single port means a range of one). */
export function parseNodePortRange(text: string): PortRange {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(text);
  const first = m ? Number(m[1]) : NaN;
  const last = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(first >= 1 && last <= 65535 && first <= last))
    throw new Error(`invalid node port range ${JSON.stringify(text)}: want "first-last" within 1-65535`);
  return { text: `${first}-${last}`, first, last };
}

/** The address `offset` places into the block. */
export const addressAt = (range: IPRange, offset: number): string => numberToIP(range.base + offset);

/** Where `ip` sits in the block, or undefined when it is outside or is the network/broadcast address. */
export function offsetOf(range: IPRange, ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  const offset = ipToNumber(ip) - range.base;
  return offset >= 1 && offset <= range.size - 2 ? offset : undefined;
}

/** The `kubernetes` Service's address: the first usable one, as upstream. */
export function kubernetesServiceIP(cidr: string = DEFAULT_SERVICE_CIDR): string {
  return addressAt(parseServiceCIDR(cidr), 1);
}

/** Cluster DNS's address: the tenth of the block (10.96.0.10 for 10.96.0.0/12), as kubeadm picks it. */
export function clusterDNSIP(cidr: string = DEFAULT_SERVICE_CIDR): string {
  return addressAt(parseServiceCIDR(cidr), 10);
}

/** Offsets never handed out dynamically: they are kept for the `kubernetes` Service and cluster DNS. */
export const RESERVED_OFFSETS: readonly number[] = [1, 10];
