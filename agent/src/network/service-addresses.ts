/**
 * Makes ClusterIPs local addresses of the host, so a pod's connection to
 * `clusterIP:port` (routed by Docker's bridge to the host) lands on the
 * service proxy listening there (or, for Service ports the in-kernel fast
 * path forwards, is DNATed on the way; the listener is then the fallback).
 * Each ClusterIP is a /32 on the interface `kubeflare0`, as kube-proxy's IPVS
 * mode does with kube-ipvs0; this survives either agent of a shared host
 * stopping, and the listener sees the pod's own address for sessionAffinity.
 * A dummy link is used where the kernel has the module, otherwise an empty
 * bridge (which also only holds addresses).
 *
 * The whole service range also gets an `unreachable` route, so a ClusterIP
 * that is not (yet) assigned fails at once with "no route to host" instead of
 * leaking to the default gateway.
 *
 * Several agents may share one host (the e2e setup): each adds what it
 * wants, removes only what it added, and re-asserts its wants periodically
 * so one agent stopping never leaves the other without its addresses.
 */
import { execFile } from "node:child_process";
import { isIPv4 } from "node:net";
import { ipToNumber, parseServiceCIDR } from "../../../src/registry/service-ip-range.js";
import type { Logger } from "../log.js";

export const SERVICE_INTERFACE = "kubeflare0";
export const DEFAULT_SERVICE_CIDR = "10.96.0.0/12";

export type IpCommand = (args: string[]) => Promise<string>;

export const runIp: IpCommand = (args) =>
  new Promise((resolve, reject) =>
    execFile("ip", args, { timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`ip ${args.join(" ")}: ${(stderr || error.message).trim()}`)) : resolve(stdout),
    ),
  );

/** IPv4 ClusterIPs in `ip -j addr show` output. */
export function parseAddresses(json: string): string[] {
  const links = JSON.parse(json || "[]") as { addr_info?: { family: string; local: string }[] }[];
  return links.flatMap((link) => (link.addr_info ?? []).filter((a) => a.family === "inet").map((a) => a.local));
}

/**
 * Whether the host already routes part of `cidr` somewhere real (a connected
 * network, a gateway route; not `default` and not unreachable/blackhole
 * routes like ours). Then the range's unreachable route is left out, since
 * it would cut the host off from that network.
 */
export function overlapsHostRoutes(cidr: string, routesJson: string): boolean {
  const range = parseServiceCIDR(cidr);
  const routes = JSON.parse(routesJson || "[]") as { dst?: string; type?: string }[];
  return routes.some((route) => {
    if (!route.dst || route.dst === "default" || (route.type && route.type !== "unicast")) return false;
    const [address, bits = "32"] = route.dst.split("/");
    if (!isIPv4(address)) return false;
    const size = 2 ** (32 - Number(bits));
    const base = Math.floor(ipToNumber(address) / size) * size;
    return base < range.base + range.size && range.base < base + size;
  });
}

export interface ServiceAddressOptions {
  serviceCIDR?: string;
  ip?: IpCommand;
  log: Logger;
}

export class ServiceAddresses {
  private readonly ip: IpCommand;
  private readonly added = new Set<string>();
  private linkReady = false;
  private lastError = "";
  private rangeOverlaps = false;

  constructor(private readonly options: ServiceAddressOptions) {
    this.ip = options.ip ?? runIp;
  }

  private async ensureLink(): Promise<void> {
    // Checked every time: another agent on this host may have removed it when it stopped.
    const exists = await this.ip(["link", "show", SERVICE_INTERFACE]).then(() => true, () => false);
    if (exists && this.linkReady) return this.guardRange();
    if (!exists) {
      await this.ip(["link", "add", SERVICE_INTERFACE, "type", "dummy"]).catch(async (error: Error) => {
        if (/exists/i.test(error.message)) return;
        await this.ip(["link", "add", SERVICE_INTERFACE, "type", "bridge"]).catch((again: Error) => {
          if (!/exists/i.test(again.message)) throw again;
        });
      });
    }
    await this.ip(["link", "set", SERVICE_INTERFACE, "up"]);
    await this.guardRange();
    this.linkReady = true;
  }

  private guardRange = async (): Promise<void> => {
    const cidr = this.options.serviceCIDR;
    if (!cidr || this.rangeOverlaps) return;
    const routes = await this.ip(["-j", "-4", "route", "show"]);
    if (overlapsHostRoutes(cidr, routes)) {
      this.rangeOverlaps = true;
      this.options.log(`service addresses: the host routes part of ${cidr} already; not adding its unreachable route`);
      return;
    }
    await this.ip(["route", "replace", "unreachable", cidr]);
  };

  /** Makes every address in `wanted` local, and drops the ones this agent added that are no longer wanted. */
  async sync(wanted: Iterable<string>): Promise<void> {
    const want = new Set([...wanted].filter((a) => isIPv4(a)));
    try {
      await this.ensureLink();
      const present = new Set(parseAddresses(await this.ip(["-j", "-4", "addr", "show", "dev", SERVICE_INTERFACE])));
      for (const address of want) {
        if (!present.has(address)) await this.ip(["addr", "replace", `${address}/32`, "dev", SERVICE_INTERFACE]);
        this.added.add(address);
      }
      for (const address of [...this.added]) {
        if (want.has(address)) continue;
        if (present.has(address)) await this.ip(["addr", "del", `${address}/32`, "dev", SERVICE_INTERFACE]).catch(() => {});
        this.added.delete(address);
      }
      this.lastError = "";
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.options.log(`service addresses: ${message}`);
      this.lastError = message;
      this.linkReady = false;
    }
  }

  /** Removes what this agent added; the link itself goes once no address is left on it. */
  async cleanup(): Promise<void> {
    for (const address of this.added) await this.ip(["addr", "del", `${address}/32`, "dev", SERVICE_INTERFACE]).catch(() => {});
    this.added.clear();
    const left = await this.ip(["-j", "-4", "addr", "show", "dev", SERVICE_INTERFACE]).then(parseAddresses, () => undefined);
    if (left && left.length === 0) await this.ip(["link", "del", SERVICE_INTERFACE]).catch(() => {});
    // Another agent of the same cluster on this host puts it back at its next check.
    if (this.options.serviceCIDR) await this.ip(["route", "del", "unreachable", this.options.serviceCIDR]).catch(() => {});
  }
}
