/**
 * Service validation as upstream's ValidateService: ports, cluster IP shape,
 * ExternalName, session affinity and traffic policies. Whether a requested
 * cluster IP or node port is inside the configured range and free is the
 * allocation ledger's call (it alone knows the ranges and who holds what).
 */
import type { Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { dns1123LabelErrors, dns1123SubdomainErrors } from "./names.js";
import { isIPv4 } from "./service-ip-range.js";

type Obj = Record<string, any>;

const invalidValue = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
const requiredValue = (field: string): Cause => ({ reason: "FieldValueRequired", field, message: "Required value" });
const forbidden = (field: string, detail: string): Cause => ({ reason: "FieldValueForbidden", field, message: `Forbidden: ${detail}` });
const duplicate = (field: string, value: unknown): Cause => ({ reason: "FieldValueDuplicate", field, message: `Duplicate value: ${JSON.stringify(value)}` });

const validPort = (p: unknown) => typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;

/** IANA_SVC_NAME: what a named targetPort must look like. */
function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errs.push("must contain at least one letter or number (a-z)");
  if (name.includes("--")) errs.push("must not contain consecutive hyphens");
  if (/^-|-$/.test(name)) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** Types that expose node ports. */
export const needsNodePorts = (spec: Obj | undefined) => spec?.type === "NodePort" || (spec?.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
/** Types that carry a cluster IP (all but ExternalName); headless ones hold "None". */
export const needsClusterIP = (spec: Obj | undefined) => (spec?.type ?? "ClusterIP") !== "ExternalName";
/** LoadBalancer with externalTrafficPolicy Local gets a health check port, as upstream. */
export const needsHealthCheckNodePort = (spec: Obj | undefined) => spec?.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";

function validatePorts(spec: Obj, type: string): Cause[] {
  const c: Cause[] = [];
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === "None";
  if (ports.length === 0 && type !== "ExternalName" && !headless) c.push(requiredValue("spec.ports"));
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) c.push(requiredValue(`${at}.name`));
    if (p.name) {
      for (const e of dns1123LabelErrors(p.name)) c.push(invalidValue(`${at}.name`, p.name, e));
      if (names.has(p.name)) c.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!validPort(p.port)) c.push(invalidValue(`${at}.port`, p.port, "must be between 1 and 65535, inclusive"));
    const key = `${p.port}/${p.protocol ?? "TCP"}`;
    if (keys.has(key)) c.push(duplicate(at, { port: p.port, protocol: p.protocol ?? "TCP" }));
    keys.add(key);
    const target = p.targetPort;
    if (typeof target === "number" && !validPort(target)) c.push(invalidValue(`${at}.targetPort`, target, "must be between 1 and 65535, inclusive"));
    if (typeof target === "string") for (const e of portNameErrors(target)) c.push(invalidValue(`${at}.targetPort`, target, e));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === "ClusterIP") c.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (type === "ExternalName") c.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ExternalName'"));
      else if (!validPort(p.nodePort)) c.push(invalidValue(`${at}.nodePort`, p.nodePort, "must be between 1 and 65535, inclusive"));
      const nk = `${p.nodePort}/${p.protocol ?? "TCP"}`;
      if (nodePorts.has(nk)) c.push(duplicate(`${at}.nodePort`, p.nodePort));
      nodePorts.add(nk);
    }
  });
  return c;
}

function validateClusterIP(spec: Obj, type: string): Cause[] {
  const c: Cause[] = [];
  const ip = spec.clusterIP;
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  if (type === "ExternalName") {
    if ((ip !== undefined && ip !== "") || ips.length) c.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    return c;
  }
  if (ip !== undefined && ip !== "" && ip !== "None" && !isIPv4(ip))
    c.push(invalidValue("spec.clusterIPs[0]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  if (ips.length > 1) c.push(invalidValue("spec.clusterIPs", ips, "may only hold one IPv4 address: this cluster is single-stack"));
  if (ips.length && ip !== undefined && ip !== "" && ips[0] !== ip) c.push(invalidValue("spec.clusterIPs[0]", ips[0], "must match clusterIP when set"));
  if (ip === "None" && (type === "NodePort" || type === "LoadBalancer"))
    c.push(invalidValue("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${type} services`));
  return c;
}

function validateAffinityAndPolicies(spec: Obj, type: string): Cause[] {
  const c: Cause[] = [];
  if (spec.sessionAffinity === "ClientIP") {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (!(typeof t === "number" && Number.isInteger(t) && t > 0 && t <= 86400))
      c.push(invalidValue("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t ?? null, "must be greater than 0 and less than 86400"));
  } else if (spec.sessionAffinityConfig != null && type !== "ExternalName")
    c.push(invalidValue("spec.sessionAffinityConfig", spec.sessionAffinityConfig, `must not be set when session affinity is ${spec.sessionAffinity ?? "None"}`));
  const external = type === "NodePort" || type === "LoadBalancer";
  if (spec.externalTrafficPolicy && !external && !(spec.externalIPs ?? []).length)
    c.push(invalidValue("spec.externalTrafficPolicy", spec.externalTrafficPolicy, "may only be set for externally-accessible services"));
  if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort !== 0) {
    if (!needsHealthCheckNodePort(spec))
      c.push(invalidValue("spec.healthCheckNodePort", spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    else if (!validPort(spec.healthCheckNodePort)) c.push(invalidValue("spec.healthCheckNodePort", spec.healthCheckNodePort, "must be between 1 and 65535, inclusive"));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== "LoadBalancer")
    c.push(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
  return c;
}

export function validateService(o: KubeObject): Cause[] {
  const spec: Obj = o.spec && typeof o.spec === "object" ? o.spec : {};
  const type: string = spec.type ?? "ClusterIP";
  const c: Cause[] = [];
  if (type === "ExternalName") {
    const name = spec.externalName;
    if (!name) c.push(requiredValue("spec.externalName"));
    // A trailing dot (fully qualified) is allowed, as upstream.
    else for (const e of dns1123SubdomainErrors(String(name).replace(/\.$/, ""))) c.push(invalidValue("spec.externalName", name, e));
  }
  c.push(...validateClusterIP(spec, type), ...validatePorts(spec, type), ...validateAffinityAndPolicies(spec, type));
  return c;
}
