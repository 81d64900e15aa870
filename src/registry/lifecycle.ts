/**
 * What the apiserver does to an object between the request and storage:
 * server-owned metadata, defaulting, status rules per subresource,
 * generation bumps on spec changes, and validation into one 422.
 */
import { KubeError, badRequest, conflict, invalid, type Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { groupVersion, qualifiedResource, type ResourceType } from "../schema/registry.js";
import { applyDefaults } from "./defaults.js";
import { generateName } from "./names.js";
import { validateKind, validateMetadata } from "./validation.js";
import { qosClass } from "./qos.js";
import { dropTypeDependentFields, patchAllocatedValues, validateServiceUpdate } from "./service-strategy.js";
import { roleRefUpdateErrors } from "../auth/rbac-validation.js";

/** Kinds whose status a client may set on create (Nodes are created by their agent with status). */
const STATUS_ON_CREATE = new Set(["nodes", "events"]);

/** Schema-level validation is plugged in by the API layer (generated from zod). */
export type SchemaValidator = (rt: ResourceType, o: unknown) => Cause[];

export interface WriteOptions {
  now: Date;
  namespace?: string;
  validateSchema?: SchemaValidator;
}

const clone = <T>(o: T): T => structuredClone(o);

export function stampTypeMeta(rt: ResourceType, o: KubeObject): KubeObject {
  o.apiVersion = groupVersion(rt);
  o.kind = rt.kind;
  return o;
}

function initialStatus(rt: ResourceType, o: KubeObject): void {
  if (rt.resource === "pods") o.status = { phase: "Pending", qosClass: qosClass(o.spec) };
  else if (rt.resource === "namespaces") o.status = { phase: "Active" };
  else if ("status" in o || ["deployments", "replicasets", "daemonsets", "jobs", "cronjobs", "services", "ingresses"].includes(rt.resource))
    o.status = rt.resource === "services" ? { loadBalancer: {} } : {};
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/** Secret.stringData is write-only: merged into data, base64-encoded. Left alone when either is not a map (validation says so). */
function foldStringData(rt: ResourceType, o: KubeObject): void {
  if (rt.resource !== "secrets" || !isObject(o.stringData) || (o.data != null && !isObject(o.data))) return;
  const data = (o.data ??= {}) as Record<string, string>;
  for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) data[k] = base64(String(v));
  delete o.stringData;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The most a stored object may weigh: etcd's default request limit, which
 * bounds objects upstream too. A store row holds about 2 MiB, so this also
 * leaves room for the managedFields recorded after validation.
 */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

function checkSize(rt: ResourceType, o: KubeObject): void {
  const text = JSON.stringify(o);
  // UTF-8 takes at most three bytes per UTF-16 unit: most objects need no encoding to know they fit.
  const bytes = text.length * 3 <= MAX_OBJECT_BYTES ? text.length : new TextEncoder().encode(text).length;
  if (bytes > MAX_OBJECT_BYTES)
    throw new KubeError(413, "RequestEntityTooLarge", `${rt.kind} "${o.metadata?.name ?? ""}" is too large to store: ${bytes} bytes, more than ${MAX_OBJECT_BYTES}`);
}

export function validate(rt: ResourceType, o: KubeObject, opts: WriteOptions): void {
  const shape = opts.validateSchema?.(rt, o) ?? [];
  // The per-kind rules read fields as the schema types them; upstream never validates an object that failed to decode.
  const causes = [...shape, ...validateMetadata(rt.resource, o, rt.namespaced), ...(shape.length ? [] : validateKind(rt.resource, o))];
  if (causes.length) throw invalid(rt.kind, o.metadata?.name ?? o.metadata?.generateName ?? "", causes, rt.group);
  checkSize(rt, o);
}

export function prepareForCreate(rt: ResourceType, input: KubeObject, opts: WriteOptions): KubeObject {
  const o = stampTypeMeta(rt, clone(input));
  if (!o.metadata || typeof o.metadata !== "object") o.metadata = {};
  const m = o.metadata;
  if (m.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
  if (!m.name && m.generateName && typeof m.generateName === "string") m.name = generateName(m.generateName);
  if (rt.namespaced) {
    if (m.namespace && opts.namespace && m.namespace !== opts.namespace)
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    m.namespace = opts.namespace;
  } else delete m.namespace;
  m.uid = crypto.randomUUID();
  m.creationTimestamp = opts.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  m.generation = 1;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  if (!STATUS_ON_CREATE.has(rt.resource)) delete o.status;
  foldStringData(rt, o);
  applyDefaults(rt.resource, o);
  if (!STATUS_ON_CREATE.has(rt.resource) || !o.status) initialStatus(rt, o);
  validate(rt, o, opts);
  return o;
}

/** Everything that is not metadata or status: a change here bumps generation. */
function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}

export type Subresource = undefined | "status";

export function prepareForUpdate(
  rt: ResourceType,
  existing: KubeObject,
  input: KubeObject,
  subresource: Subresource,
  opts: WriteOptions,
): KubeObject {
  const name = existing.metadata.name!;
  const o = stampTypeMeta(rt, clone(input));
  if (!o.metadata || typeof o.metadata !== "object") throw invalid(rt.kind, name, [{ field: "metadata", message: "Required value" }], rt.group);
  const rv = o.metadata.resourceVersion;
  if (rv && rv !== existing.metadata.resourceVersion)
    throw conflict(qualifiedResource(rt), name, "the object has been modified; please apply your changes to the latest version and try again");
  if (o.metadata.name && o.metadata.name !== name)
    throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
  if (rt.namespaced && o.metadata.namespace && o.metadata.namespace !== existing.metadata.namespace)
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");

  let next: KubeObject;
  if (subresource === "status") {
    // A status write changes status only; everything else stays as stored.
    next = clone(existing);
    next.status = o.status;
  } else {
    next = o;
    if ("status" in existing) next.status = clone(existing.status);
    else delete next.status;
    foldStringData(rt, next);
    applyDefaults(rt.resource, next);
    if (rt.resource === "services") {
      // Allocated values carry over and type-dependent fields follow the type, before generation is compared.
      patchAllocatedValues(existing, next);
      dropTypeDependentFields(existing, next);
    }
  }
  const m = next.metadata;
  const was = existing.metadata;
  m.name = was.name;
  if (rt.namespaced) m.namespace = was.namespace;
  else delete m.namespace;
  m.uid = was.uid;
  m.creationTimestamp = was.creationTimestamp;
  m.generation = was.generation ?? 1;
  if (was.deletionTimestamp) {
    m.deletionTimestamp = was.deletionTimestamp;
    m.deletionGracePeriodSeconds = was.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (subresource !== "status" && specPart(next) !== specPart(existing)) m.generation = (was.generation ?? 1) + 1;
  if (rt.resource === "pods" && subresource !== "status") checkPodUpdate(rt, existing, next);
  const serviceErrors = rt.resource === "services" && subresource !== "status" ? validateServiceUpdate(existing, next) : [];
  if (serviceErrors.length) throw invalid(rt.kind, name, serviceErrors, rt.group);
  const roleRefErrors = roleRefUpdateErrors(rt.resource, existing, next);
  if (roleRefErrors.length) throw invalid(rt.kind, name, roleRefErrors, rt.group);
  validate(rt, next, opts);
  return next;
}

/** Pod spec is immutable apart from images, activeDeadlineSeconds, tolerations (additions) and the binding. */
function checkPodUpdate(rt: ResourceType, existing: KubeObject, next: KubeObject): void {
  const strip = (spec: any) => {
    const s = clone(spec ?? {});
    if (!isObject(s)) return JSON.stringify(s);
    const containers = [s.containers, s.initContainers].flatMap((l) => (Array.isArray(l) ? l.filter(isObject) : []));
    for (const c of containers) delete c.image;
    delete s.activeDeadlineSeconds;
    delete s.tolerations;
    delete s.terminationGracePeriodSeconds;
    if (!existing.spec?.nodeName) delete s.nodeName;
    return JSON.stringify(s);
  };
  if (strip(existing.spec) !== strip(next.spec))
    throw invalid(rt.kind, existing.metadata.name!, [
      {
        reason: "FieldValueForbidden",
        field: "spec",
        message:
          "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      },
    ]);
}
