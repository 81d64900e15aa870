/**
 * Semantic validation beyond the schema's shape: names, labels, and the
 * per-kind rules kubectl users hit most (missing image, selector that does
 * not match the template, bad ports). Returns Kubernetes causes with field
 * paths; the caller turns them into one 422 Status.
 */
import type { Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import type { Container, PodSpec } from "../schema/core.js";
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  labelValueErrors,
  qualifiedNameErrors,
} from "./names.js";
import { validateService } from "./service-validation.js";
import { validateIngress } from "./ingress-validation.js";
import { RBAC_RESOURCES, rbacKindRules, rbacNameErrors } from "../auth/rbac-validation.js";

const invalidValue = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
const requiredValue = (field: string): Cause => ({ reason: "FieldValueRequired", field, message: "Required value" });
const duplicate = (field: string, value: unknown): Cause => ({
  reason: "FieldValueDuplicate",
  field,
  message: `Duplicate value: ${JSON.stringify(value)}`,
});

/** Resources whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(["namespaces", "services"]);

export function validateMetadata(resource: string, o: KubeObject, namespaced: boolean): Cause[] {
  const causes: Cause[] = [];
  const m = o.metadata;
  if (!m.name) causes.push({ ...requiredValue("metadata.name"), message: "Required value: name or generateName is required" });
  else {
    const errs = LABEL_NAMED.has(resource)
      ? dns1123LabelErrors(m.name)
      : RBAC_RESOURCES.has(resource)
        ? rbacNameErrors(m.name)
        : dns1123SubdomainErrors(m.name);
    for (const e of errs) causes.push(invalidValue("metadata.name", m.name, e));
  }
  if (m.namespace && namespaced) for (const e of dns1123LabelErrors(m.namespace)) causes.push(invalidValue("metadata.namespace", m.namespace, e));
  causes.push(...validateLabels(m.labels ?? {}, "metadata.labels"));
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    for (const e of qualifiedNameErrors(k)) causes.push(invalidValue("metadata.annotations", k, e));
    annotationBytes += k.length + String(v).length;
  }
  if (annotationBytes > 256 * 1024)
    causes.push({ reason: "FieldValueTooLong", field: "metadata.annotations", message: "Too long: must have at most 262144 bytes" });
  return causes;
}

export function validateLabels(labels: Record<string, string>, field: string): Cause[] {
  const causes: Cause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(k)) causes.push(invalidValue(field, k, e));
    if (typeof v !== "string") causes.push(invalidValue(`${field}.${k}`, v, "must be a string"));
    else for (const e of labelValueErrors(v)) causes.push(invalidValue(field, v, e));
  }
  return causes;
}

/** validatePathNoBacksteps: a path with a `..` element could climb out of where it is meant to point. */
function backsteps(field: string, path: string): Cause[] {
  return path.split("/").includes("..") ? [invalidValue(field, path, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath: subPath stays inside its volume. */
function descendingPath(field: string, path: string): Cause[] {
  return [...(path.startsWith("/") ? [invalidValue(field, path, "must be a relative path")] : []), ...backsteps(field, path)];
}

const validPort = (p: unknown) => typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;

function validateContainers(containers: Container[], field: string, names: Set<string>, volumes: Set<string>): Cause[] {
  const causes: Cause[] = [];
  containers.forEach((c, i) => {
    const at = `${field}[${i}]`;
    if (!c.name) causes.push(requiredValue(`${at}.name`));
    else {
      for (const e of dns1123LabelErrors(c.name)) causes.push(invalidValue(`${at}.name`, c.name, e));
      if (names.has(c.name)) causes.push(duplicate(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image || !c.image.trim()) causes.push(requiredValue(`${at}.image`));
    (c.ports ?? []).forEach((p, j) => {
      if (!validPort(p.containerPort))
        causes.push(invalidValue(`${at}.ports[${j}].containerPort`, p.containerPort, "must be between 1 and 65535, inclusive"));
      if (p.hostPort !== undefined && p.hostPort !== 0 && !validPort(p.hostPort))
        causes.push(invalidValue(`${at}.ports[${j}].hostPort`, p.hostPort, "must be between 1 and 65535, inclusive"));
    });
    (c.volumeMounts ?? []).forEach((m, j) => {
      if (!volumes.has(m.name)) causes.push({ reason: "FieldValueNotFound", field: `${at}.volumeMounts[${j}].name`, message: `Not found: ${JSON.stringify(m.name)}` });
      if (!m.mountPath) causes.push(requiredValue(`${at}.volumeMounts[${j}].mountPath`));
      if (m.subPath) causes.push(...descendingPath(`${at}.volumeMounts[${j}].subPath`, m.subPath));
      if (typeof m.subPathExpr === "string" && m.subPathExpr) causes.push(...descendingPath(`${at}.volumeMounts[${j}].subPathExpr`, m.subPathExpr));
    });
    (c.env ?? []).forEach((e, j) => {
      if (!e.name) causes.push(requiredValue(`${at}.env[${j}].name`));
    });
  });
  return causes;
}

export function validatePodSpec(spec: PodSpec | undefined, field: string): Cause[] {
  if (!spec) return [requiredValue(field)];
  const causes: Cause[] = [];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (!v.name) causes.push(requiredValue(`${field}.volumes[${i}].name`));
    else if (volumes.has(v.name)) causes.push(duplicate(`${field}.volumes[${i}].name`, v.name));
    volumes.add(v.name);
    if (v.hostPath && !v.hostPath.path?.startsWith("/"))
      causes.push(invalidValue(`${field}.volumes[${i}].hostPath.path`, v.hostPath.path, "must be an absolute path"));
    if (v.hostPath?.path) causes.push(...backsteps(`${field}.volumes[${i}].hostPath.path`, v.hostPath.path));
  });
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(requiredValue(`${field}.containers`));
  const names = new Set<string>();
  causes.push(...validateContainers(spec.initContainers ?? [], `${field}.initContainers`, names, volumes));
  causes.push(...validateContainers(spec.containers ?? [], `${field}.containers`, names, volumes));
  if (spec.terminationGracePeriodSeconds != null && spec.terminationGracePeriodSeconds < 0)
    causes.push(invalidValue(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, "must be greater than or equal to 0"));
  return causes;
}

function selectorMatchesTemplate(o: KubeObject, causes: Cause[]): void {
  const sel = o.spec?.selector;
  if (!sel || (!sel.matchLabels && !sel.matchExpressions)) {
    causes.push(requiredValue("spec.selector"));
    return;
  }
  const labels: Record<string, string> = o.spec?.template?.metadata?.labels ?? {};
  const ok =
    Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (sel.matchExpressions ?? []).every((e: { key: string; operator: string; values?: string[] }) => {
      const has = e.key in labels;
      if (e.operator === "Exists") return has;
      if (e.operator === "DoesNotExist") return !has;
      if (e.operator === "In") return has && (e.values ?? []).includes(labels[e.key]);
      if (e.operator === "NotIn") return !has || !(e.values ?? []).includes(labels[e.key]);
      return false;
    });
  if (!ok)
    causes.push(invalidValue("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
  if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
    causes.push(invalidValue("spec.selector", sel, "empty selector is invalid for deployment"));
}

function nonNegative(o: KubeObject, path: string, value: unknown, causes: Cause[]): void {
  if (typeof value === "number" && value < 0) causes.push(invalidValue(path, value, "must be greater than or equal to 0"));
}

const kindRules: Record<string, (o: KubeObject) => Cause[]> = {
  pods: (o) => validatePodSpec(o.spec, "spec"),
  deployments: (o) => {
    const c: Cause[] = [];
    selectorMatchesTemplate(o, c);
    nonNegative(o, "spec.replicas", o.spec?.replicas, c);
    c.push(...validatePodSpec(o.spec?.template?.spec, "spec.template.spec"));
    const rp = o.spec?.template?.spec?.restartPolicy;
    if (rp && rp !== "Always") c.push({ reason: "FieldValueNotSupported", field: "spec.template.spec.restartPolicy", message: `Unsupported value: "${rp}": supported values: "Always"` });
    const ru = o.spec?.strategy?.rollingUpdate;
    if (o.spec?.strategy?.type === "RollingUpdate" && ru && isZero(ru.maxSurge) && isZero(ru.maxUnavailable))
      c.push(invalidValue("spec.strategy.rollingUpdate.maxUnavailable", ru.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    return c;
  },
  replicasets: (o) => {
    const c: Cause[] = [];
    selectorMatchesTemplate(o, c);
    nonNegative(o, "spec.replicas", o.spec?.replicas, c);
    if (o.spec?.template) c.push(...validatePodSpec(o.spec.template.spec, "spec.template.spec"));
    return c;
  },
  daemonsets: (o) => {
    const c: Cause[] = [];
    selectorMatchesTemplate(o, c);
    c.push(...validatePodSpec(o.spec?.template?.spec, "spec.template.spec"));
    return c;
  },
  jobs: (o) => {
    const c = validatePodSpec(o.spec?.template?.spec, "spec.template.spec");
    const rp = o.spec?.template?.spec?.restartPolicy;
    if (rp !== "Never" && rp !== "OnFailure")
      c.push({ reason: "FieldValueNotSupported", field: "spec.template.spec.restartPolicy", message: `Unsupported value: "${rp ?? ""}": supported values: "OnFailure", "Never"` });
    for (const f of ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"])
      nonNegative(o, `spec.${f}`, o.spec?.[f], c);
    return c;
  },
  cronjobs: (o) => {
    const c: Cause[] = [];
    if (!o.spec?.schedule) c.push(requiredValue("spec.schedule"));
    c.push(...validatePodSpec(o.spec?.jobTemplate?.spec?.template?.spec, "spec.jobTemplate.spec.template.spec"));
    return c;
  },
  services: validateService,
  ingresses: validateIngress,
  configmaps: (o) => {
    const c: Cause[] = [];
    let size = 0;
    for (const [k, v] of Object.entries({ ...(o.data as object), ...(o.binaryData as object) })) {
      if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253)
        c.push(invalidValue("data", k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      size += k.length + String(v).length;
    }
    if (size > MAX_CONFIG_BYTES) c.push(tooLong);
    return c;
  },
  secrets: (o) => {
    const c: Cause[] = [];
    let size = 0;
    for (const [k, v] of Object.entries((o.data as Record<string, string>) ?? {})) {
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) c.push(invalidValue("data", k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
      if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
        c.push(invalidValue(`data[${k}]`, "<secret contents redacted>", "illegal base64 data"));
      // The decoded size: base64 spends four characters on three bytes.
      else size += k.length + (v.length / 4) * 3 - (v.endsWith("==") ? 2 : v.endsWith("=") ? 1 : 0);
    }
    if (size > MAX_CONFIG_BYTES) c.push(tooLong);
    return c;
  },
};

/** Upstream's MaxSecretSize, which bounds ConfigMaps too: keys and values together. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const tooLong: Cause = { reason: "FieldValueTooLong", field: "", message: `Too long: must have at most ${MAX_CONFIG_BYTES} bytes` };

const isZero = (v: unknown) => v === 0 || v === "0" || v === "0%";

export function validateKind(resource: string, o: KubeObject): Cause[] {
  return (kindRules[resource] ?? rbacKindRules[resource])?.(o) ?? [];
}
