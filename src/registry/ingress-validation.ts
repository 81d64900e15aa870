/**
 * Ingress validation as upstream's ValidateIngress (networking/v1): rules or
 * a default backend, hosts, path types and paths, and backends naming a
 * Service port by name or number (not both). Shape errors (a missing
 * pathType) are the schema's; these are the rules a schema cannot say.
 */
import type { Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { dns1123SubdomainErrors } from "./names.js";
import { isIPv4 } from "./service-ip-range.js";

type Obj = Record<string, any>;

const invalidValue = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
const requiredValue = (field: string, detail?: string): Cause => ({
  reason: "FieldValueRequired",
  field,
  message: detail ? `Required value: ${detail}` : "Required value",
});

export const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"] as const;

/** DNS-1035 label: how a Service name must look (no leading digit). */
function serviceNameErrors(name: string): string[] {
  if (name.length > 63) return ["must be no more than 63 characters"];
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name))
    return ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"];
  return [];
}

function validateBackend(b: Obj | undefined, at: string): Cause[] {
  if (!b || typeof b !== "object") return [requiredValue(at)];
  const c: Cause[] = [];
  if (b.service && b.resource) return [invalidValue(at, b, "cannot set both resource and service backends")];
  if (!b.service && !b.resource) return [invalidValue(at, b, "one backend type must be specified")];
  if (!b.service) return c;
  const s: Obj = b.service;
  if (!s.name) c.push(requiredValue(`${at}.service.name`));
  else for (const e of serviceNameErrors(s.name)) c.push(invalidValue(`${at}.service.name`, s.name, e));
  const port: Obj | undefined = s.port;
  const hasName = !!port?.name;
  const hasNumber = port?.number !== undefined && port.number !== 0;
  if (hasName && hasNumber) c.push(invalidValue(`${at}.service.port`, port, "cannot set both port name & port number"));
  else if (hasNumber) {
    if (!(Number.isInteger(port!.number) && port!.number >= 1 && port!.number <= 65535))
      c.push(invalidValue(`${at}.service.port.number`, port!.number, "must be between 1 and 65535, inclusive"));
  } else if (hasName) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port!.name) || port!.name.length > 15 || !/[a-z]/.test(port!.name))
      c.push(invalidValue(`${at}.service.port.name`, port!.name, "must be a valid port name (IANA_SVC_NAME, e.g. 'http')"));
  } else c.push(requiredValue(`${at}.service.port`, "port name or number is required"));
  return c;
}

function validatePath(p: Obj, at: string): Cause[] {
  const c: Cause[] = [];
  const type = p.pathType;
  if (!type) c.push(requiredValue(`${at}.pathType`, "pathType must be specified"));
  else if (!(PATH_TYPES as readonly string[]).includes(type))
    c.push({ reason: "FieldValueNotSupported", field: `${at}.pathType`, message: `Unsupported value: ${JSON.stringify(type)}: supported values: "Exact", "ImplementationSpecific", "Prefix"` });
  const path: string = p.path ?? "";
  if (type === "Exact" || type === "Prefix") {
    if (!path.startsWith("/")) c.push(invalidValue(`${at}.path`, path, "must be an absolute path"));
    for (const bad of ["//", "/./", "/../", "%2f", "%2F"])
      if (path.includes(bad)) c.push(invalidValue(`${at}.path`, path, `must not contain '${bad}'`));
    if (path.endsWith("/..") || path.endsWith("/.")) c.push(invalidValue(`${at}.path`, path, "must not end with '/..' or '/.'"));
  } else if (path && !path.startsWith("/")) c.push(invalidValue(`${at}.path`, path, "must be an absolute path"));
  c.push(...validateBackend(p.backend, `${at}.backend`));
  return c;
}

function validateHost(host: string, at: string): Cause[] {
  const ip: boolean = isIPv4(host);
  if (ip) return [invalidValue(at, host, "must be a DNS name, not an IP address")];
  // A leading "*." wildcard covers one label, as upstream allows.
  const name = host.startsWith("*.") ? host.slice(2) : host;
  return dns1123SubdomainErrors(name).map((e) => invalidValue(at, host, e));
}

export function validateIngress(o: KubeObject): Cause[] {
  const spec: Obj = o.spec && typeof o.spec === "object" ? o.spec : {};
  const c: Cause[] = [];
  const rules: Obj[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (!spec.defaultBackend && rules.length === 0) c.push(invalidValue("spec", spec, "either `defaultBackend` or `rules` must be specified"));
  if (spec.defaultBackend) c.push(...validateBackend(spec.defaultBackend, "spec.defaultBackend"));
  if (spec.ingressClassName) for (const e of dns1123SubdomainErrors(spec.ingressClassName)) c.push(invalidValue("spec.ingressClassName", spec.ingressClassName, e));
  rules.forEach((r, i) => {
    const at = `spec.rules[${i}]`;
    if (r.host) c.push(...validateHost(r.host, `${at}.host`));
    if (!r.http) return;
    const paths: Obj[] = Array.isArray(r.http.paths) ? r.http.paths : [];
    if (paths.length === 0) c.push(requiredValue(`${at}.http.paths`));
    paths.forEach((p, j) => c.push(...validatePath(p, `${at}.http.paths[${j}]`)));
  });
  return c;
}
