/**
 * What the apiserver's Service REST storage does around allocation, pure:
 * defaults that depend on type, carrying allocated values over on update
 * (so `kubectl apply`/`replace` of a manifest without clusterIP or nodePort
 * keeps them), dropping type-dependent fields when the type changes, the
 * immutability of clusterIP, and the request the allocation ledger gets.
 */
import type { Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { needsClusterIP, needsHealthCheckNodePort, needsNodePorts } from "./service-validation.js";

type Obj = Record<string, any>;
const isObject = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const portsOf = (spec: Obj): Obj[] => (Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []);

/** Upstream's session affinity timeout when ClientIP names none: three hours. */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

/** Type-dependent defaults (SetDefaults_Service), beyond those every Service gets. */
export function defaultServiceSpec(spec: Obj): void {
  if (spec.sessionAffinity === "ClientIP") {
    spec.sessionAffinityConfig = isObject(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : {};
    const clientIP = (spec.sessionAffinityConfig.clientIP = isObject(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP : {});
    clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_TIMEOUT_SECONDS;
  }
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  // clusterIPs alone names the cluster IP too.
  if ((spec.clusterIP === undefined || spec.clusterIP === "") && Array.isArray(spec.clusterIPs) && typeof spec.clusterIPs[0] === "string")
    spec.clusterIP = spec.clusterIPs[0];
}

/**
 * patchAllocatedValues: an update that leaves clusterIP or a nodePort empty
 * keeps what was allocated, when the old and new types both need it. Ports
 * are matched by port number and protocol, as upstream.
 */
export function patchAllocatedValues(old: KubeObject, next: KubeObject): void {
  const was: Obj = isObject(old.spec) ? old.spec : {};
  const spec: Obj | undefined = isObject(next.spec) ? next.spec : undefined;
  if (!spec) return;
  if (needsClusterIP(was) && needsClusterIP(spec) && (spec.clusterIP === undefined || spec.clusterIP === "")) {
    if (was.clusterIP !== undefined) spec.clusterIP = was.clusterIP;
    if ((spec.clusterIPs ?? []).length === 0 && was.clusterIPs) spec.clusterIPs = [...was.clusterIPs];
  }
  if (needsNodePorts(was) && needsNodePorts(spec)) {
    const held = portsOf(was);
    for (const p of portsOf(spec)) {
      if (p.nodePort !== undefined && p.nodePort !== 0) continue;
      const match = held.find((h) => h.port === p.port && (h.protocol ?? "TCP") === (p.protocol ?? "TCP"));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (needsHealthCheckNodePort(was) && needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort && was.healthCheckNodePort)
    spec.healthCheckNodePort = was.healthCheckNodePort;
}

/**
 * dropTypeDependentFields: when the type changes, fields only the old type
 * uses go, unless the client changed them itself (then validation speaks).
 */
export function dropTypeDependentFields(old: KubeObject, next: KubeObject): void {
  const was: Obj = isObject(old.spec) ? old.spec : {};
  const spec: Obj | undefined = isObject(next.spec) ? next.spec : undefined;
  if (!spec || (was.type ?? "ClusterIP") === (spec.type ?? "ClusterIP")) return;
  if (!needsClusterIP(spec) && spec.clusterIP === was.clusterIP) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (!needsNodePorts(spec)) {
    const held = portsOf(was);
    for (const p of portsOf(spec)) {
      const match = held.find((h) => h.port === p.port && (h.protocol ?? "TCP") === (p.protocol ?? "TCP"));
      if (match && p.nodePort === match.nodePort) delete p.nodePort;
    }
  }
  if (!needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === was.healthCheckNodePort) delete spec.healthCheckNodePort;
  const external = spec.type === "NodePort" || spec.type === "LoadBalancer";
  if (!external && spec.externalTrafficPolicy === was.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== "LoadBalancer" && spec.allocateLoadBalancerNodePorts === was.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  if (spec.type === "ExternalName") {
    // ExternalName Services carry none of the IP-family fields.
    if (spec.ipFamilies === was.ipFamilies || JSON.stringify(spec.ipFamilies) === JSON.stringify(was.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === was.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === was.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
}

/** ValidateServiceUpdate: the cluster IP stays, except across ExternalName transitions. */
export function validateServiceUpdate(old: KubeObject, next: KubeObject): Cause[] {
  const was: Obj = isObject(old.spec) ? old.spec : {};
  const spec: Obj = isObject(next.spec) ? next.spec : {};
  if (!needsClusterIP(was) || !needsClusterIP(spec)) return [];
  const before = was.clusterIP ?? "";
  const after = spec.clusterIP ?? "";
  if (before === "" || before === after) return [];
  return [{ reason: "FieldValueInvalid", field: "spec.clusterIP", message: `Invalid value: ${JSON.stringify(after)}: field is immutable` }];
}

/** Everything in a Service the ledger cares about; the owner is the Service's uid. */
export interface AllocationRequest {
  uid: string;
  namespace: string;
  name: string;
  /** undefined: no cluster IP (ExternalName) or headless; "": allocate one; else the requested address. */
  clusterIP?: string;
  /** One entry per spec.ports item: null when it needs no node port, 0 to allocate, else the requested port. */
  nodePorts: (number | null)[];
  /** null: none needed, 0: allocate, else requested. */
  healthCheckNodePort: number | null;
}

export interface AllocationGrant {
  clusterIP?: string;
  nodePorts: (number | null)[];
  healthCheckNodePort: number | null;
}

export type AllocationResult = { ok: true; grant: AllocationGrant } | { ok: false; causes: Cause[] };

export function allocationRequest(svc: KubeObject): AllocationRequest {
  const spec: Obj = isObject(svc.spec) ? svc.spec : {};
  const ip = spec.clusterIP;
  const wantsIP = needsClusterIP(spec) && ip !== "None";
  const withNodePorts = needsNodePorts(spec);
  return {
    uid: svc.metadata.uid!,
    namespace: svc.metadata.namespace ?? "",
    name: svc.metadata.name!,
    clusterIP: wantsIP ? (typeof ip === "string" ? ip : "") : undefined,
    nodePorts: portsOf(spec).map((p) => (withNodePorts ? (typeof p.nodePort === "number" ? p.nodePort : 0) : null)),
    healthCheckNodePort: needsHealthCheckNodePort(spec) ? (typeof spec.healthCheckNodePort === "number" ? spec.healthCheckNodePort : 0) : null,
  };
}

/** Writes the ledger's grant into the Service (clusterIPs mirrors clusterIP). */
export function applyGrant(svc: KubeObject, grant: AllocationGrant): KubeObject {
  const spec: Obj = svc.spec;
  if (!isObject(spec)) return svc;
  if (grant.clusterIP) {
    spec.clusterIP = grant.clusterIP;
    spec.clusterIPs = [grant.clusterIP];
  } else if (spec.clusterIP === "None") spec.clusterIPs = ["None"];
  portsOf(spec).forEach((p, i) => {
    const n = grant.nodePorts[i];
    if (n) p.nodePort = n;
  });
  if (grant.healthCheckNodePort) spec.healthCheckNodePort = grant.healthCheckNodePort;
  return svc;
}

/** Whether an update touches anything the ledger holds (most updates do not: labels, selectors, status). */
export function allocationChanged(old: KubeObject, next: KubeObject): boolean {
  return JSON.stringify(allocationRequest(old)) !== JSON.stringify(allocationRequest(next));
}
