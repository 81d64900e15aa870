/**
 * The cluster store's ledger of Service cluster IPs and node ports: the one
 * authority across namespaces, as the apiserver's allocators are across
 * etcd. Namespace stores hand it a Service's whole request (`assign`); the
 * ledger makes the owner's holdings exactly that, or refuses with causes and
 * changes nothing. Each call runs without a pause inside the Durable Object,
 * so concurrent creates in different namespaces can never get the same
 * address. Holdings are keyed by the Service's uid, so a retried call is
 * harmless, and released by uid on delete or by namespace when one goes.
 */
import type { Cause } from "../errors.js";
import {
  RESERVED_OFFSETS,
  addressAt,
  ipToNumber,
  isIPv4,
  offsetOf,
  type IPRange,
  type PortRange,
} from "../registry/service-ip-range.js";
import type { AllocationGrant, AllocationRequest, AllocationResult } from "../registry/service-strategy.js";

export interface AllocationRanges {
  ips: IPRange;
  nodePorts: PortRange;
}

/** A random integer in [0, n). */
type Random = (n: number) => number;
const defaultRandom: Random = (n) => Math.floor(Math.random() * n);

/** Random probes before falling back to a scan of what is taken (only a nearly full range gets there). */
const PROBES = 16;

export class ServiceAllocationLedger {
  constructor(
    private readonly sql: SqlStorage,
    private readonly random: Random = defaultRandom,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS service_ips (
      ip TEXT PRIMARY KEY, uid TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS service_node_ports (
      port INTEGER PRIMARY KEY, uid TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS service_ips_by_uid ON service_ips (uid)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS service_node_ports_by_uid ON service_node_ports (uid)`);
  }

  private ipHolder(ip: string): string | undefined {
    return this.sql.exec<{ uid: string }>("SELECT uid FROM service_ips WHERE ip = ?", ip).toArray()[0]?.uid;
  }

  private portHolder(port: number): string | undefined {
    return this.sql.exec<{ uid: string }>("SELECT uid FROM service_node_ports WHERE port = ?", port).toArray()[0]?.uid;
  }

  /** What an owner holds now. */
  holdings(uid: string): { ips: string[]; nodePorts: number[] } {
    return {
      ips: this.sql.exec<{ ip: string }>("SELECT ip FROM service_ips WHERE uid = ?", uid).toArray().map((r) => r.ip),
      nodePorts: this.sql.exec<{ port: number }>("SELECT port FROM service_node_ports WHERE uid = ?", uid).toArray().map((r) => r.port),
    };
  }

  /**
   * Makes the owner's holdings exactly what `req` asks for: requested values
   * are checked (in range, not held by another Service), empty ones are
   * picked, anything the owner held and no longer asks for is released.
   * With `dryRun` nothing is stored.
   */
  assign(req: AllocationRequest, ranges: AllocationRanges, dryRun = false): AllocationResult {
    const held = this.holdings(req.uid);
    const causes: Cause[] = [];
    const grant: AllocationGrant = { nodePorts: req.nodePorts.map(() => null), healthCheckNodePort: null };

    if (req.clusterIP !== undefined && req.clusterIP !== "") {
      const ip = req.clusterIP;
      const fail = (why: string) =>
        causes.push({ reason: "FieldValueInvalid", field: "spec.clusterIPs", message: `Invalid value: [${JSON.stringify(ip)}]: failed to allocate IP ${ip}: ${why}` });
      if (!isIPv4(ip) || offsetOf(ranges.ips, ip) === undefined)
        fail(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ranges.ips.cidr}`);
      else if ((this.ipHolder(ip) ?? req.uid) !== req.uid) fail("provided IP is already allocated");
      else grant.clusterIP = ip;
    } else if (req.clusterIP === "") {
      const ip = held.ips[0] ?? this.freeIP(ranges.ips);
      if (ip) grant.clusterIP = ip;
      else causes.push({ reason: "FieldValueInvalid", field: "spec.clusterIPs", message: `Invalid value: []: failed to allocate a serviceIP: range is full` });
    }

    // Requested node ports first, so a free pick never takes one the same Service asked for.
    const taken = new Set<number>();
    const requested = (port: number, field: string) => {
      const { first, last, text } = ranges.nodePorts;
      if (port < first || port > last) {
        causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${port}: provided port is not in the valid range. The range of valid ports is ${text}` });
        return false;
      }
      if ((this.portHolder(port) ?? req.uid) !== req.uid) {
        causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${port}: provided port is already allocated` });
        return false;
      }
      taken.add(port);
      return true;
    };
    req.nodePorts.forEach((p, i) => {
      if (p) if (requested(p, `spec.ports[${i}].nodePort`)) grant.nodePorts[i] = p;
    });
    if (req.healthCheckNodePort) if (requested(req.healthCheckNodePort, "spec.healthCheckNodePort")) grant.healthCheckNodePort = req.healthCheckNodePort;
    // Ports the owner already held and still needs keep their number (a retried create gets the same answer).
    const reusable = held.nodePorts.filter((p) => !taken.has(p));
    const pick = (field: string): number | null => {
      const port = reusable.shift() ?? this.freePort(ranges.nodePorts, taken);
      if (port === undefined) {
        causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: 0: failed to allocate a nodePort: range is full` });
        return null;
      }
      taken.add(port);
      return port;
    };
    req.nodePorts.forEach((p, i) => {
      if (p === 0) grant.nodePorts[i] = pick(`spec.ports[${i}].nodePort`);
    });
    if (req.healthCheckNodePort === 0) grant.healthCheckNodePort = pick("spec.healthCheckNodePort");

    if (causes.length) return { ok: false, causes };
    if (!dryRun) this.store(req, held, grant);
    return { ok: true, grant };
  }

  private store(req: AllocationRequest, held: { ips: string[]; nodePorts: number[] }, grant: AllocationGrant): void {
    const ips = new Set(grant.clusterIP ? [grant.clusterIP] : []);
    const ports = new Set([...grant.nodePorts, grant.healthCheckNodePort].filter((p): p is number => !!p));
    for (const ip of held.ips) if (!ips.has(ip)) this.sql.exec("DELETE FROM service_ips WHERE ip = ?", ip);
    for (const port of held.nodePorts) if (!ports.has(port)) this.sql.exec("DELETE FROM service_node_ports WHERE port = ?", port);
    for (const ip of ips)
      if (!held.ips.includes(ip)) this.sql.exec("INSERT INTO service_ips (ip, uid, namespace, name) VALUES (?, ?, ?, ?)", ip, req.uid, req.namespace, req.name);
    for (const port of ports)
      if (!held.nodePorts.includes(port))
        this.sql.exec("INSERT INTO service_node_ports (port, uid, namespace, name) VALUES (?, ?, ?, ?)", port, req.uid, req.namespace, req.name);
  }

  /** A free address, never a reserved one (the `kubernetes` Service's and cluster DNS's). */
  private freeIP(range: IPRange): string | undefined {
    const usable = range.size - 2;
    const reserved = new Set(RESERVED_OFFSETS);
    for (let i = 0; i < PROBES; i++) {
      const offset = 1 + this.random(usable);
      if (reserved.has(offset)) continue;
      const ip = addressAt(range, offset);
      if (!this.ipHolder(ip)) return ip;
    }
    const used = new Set(
      this.sql
        .exec<{ ip: string }>("SELECT ip FROM service_ips")
        .toArray()
        .map((r) => ipToNumber(r.ip) - range.base),
    );
    const start = this.random(usable);
    for (let i = 0; i < usable; i++) {
      const offset = 1 + ((start + i) % usable);
      if (!used.has(offset) && !reserved.has(offset)) return addressAt(range, offset);
    }
    return undefined;
  }

  private freePort(range: PortRange, taken: Set<number>): number | undefined {
    const size = range.last - range.first + 1;
    for (let i = 0; i < PROBES; i++) {
      const port = range.first + this.random(size);
      if (!taken.has(port) && !this.portHolder(port)) return port;
    }
    const used = new Set(this.sql.exec<{ port: number }>("SELECT port FROM service_node_ports").toArray().map((r) => r.port));
    const start = this.random(size);
    for (let i = 0; i < size; i++) {
      const port = range.first + ((start + i) % size);
      if (!used.has(port) && !taken.has(port)) return port;
    }
    return undefined;
  }

  release(uids: string[]): void {
    for (const uid of uids) {
      this.sql.exec("DELETE FROM service_ips WHERE uid = ?", uid);
      this.sql.exec("DELETE FROM service_node_ports WHERE uid = ?", uid);
    }
  }

  /** Everything a deleted namespace's Services held, whether or not each delete was reported. */
  releaseNamespace(namespace: string): void {
    this.sql.exec("DELETE FROM service_ips WHERE namespace = ?", namespace);
    this.sql.exec("DELETE FROM service_node_ports WHERE namespace = ?", namespace);
  }
}
