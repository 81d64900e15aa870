/**
 * What the audit log records of one request, in the shape of Kubernetes'
 * audit.k8s.io/v1 Event at level Metadata (who, verb, object, outcome,
 * when; never the request or response body, so no Secret data lands here).
 */
import { requestAttributes } from "../auth/request-attributes.js";
import type { UserInfo } from "./auth.js";

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditEvent {
  kind: "Event";
  apiVersion: "audit.k8s.io/v1";
  level: "Metadata";
  auditID: string;
  stage: "ResponseComplete";
  requestURI: string;
  verb: string;
  user: { username: string; groups: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus: { metadata: Record<string, never>; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

const MUTATING: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" };

export const isMutating = (method: string) => method in MUTATING;

/** The object a REST path addresses; undefined for paths outside the resource API (e.g. /kubeflare/v1/...). Parsed as authorization parses it. */
export function objectRefOf(pathname: string): ObjectReference | undefined {
  const a = requestAttributes("GET", new URL(pathname, "http://path.invalid"));
  if (a.kind !== "resource" || !a.resource) return undefined;
  return {
    apiGroup: a.apiGroup || undefined,
    apiVersion: a.apiVersion,
    ...(a.namespace ? { namespace: a.namespace } : {}),
    resource: a.resource,
    name: a.name || undefined,
    subresource: a.subresource || undefined,
  };
}

export function auditEvent(opts: {
  request: Request;
  user: UserInfo;
  code: number;
  received: Date;
  completed: Date;
  auditID: string;
}): AuditEvent {
  const { request, user } = opts;
  const url = new URL(request.url);
  const objectRef = objectRefOf(url.pathname);
  let verb = MUTATING[request.method] ?? request.method.toLowerCase();
  if (verb === "delete" && objectRef && !objectRef.name) verb = "deletecollection";
  const ip = request.headers.get("cf-connecting-ip");
  const ua = request.headers.get("user-agent");
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: opts.auditID,
    stage: "ResponseComplete",
    requestURI: url.pathname + url.search,
    verb,
    user: { username: user.name, groups: user.groups },
    ...(ip ? { sourceIPs: [ip] } : {}),
    ...(ua ? { userAgent: ua } : {}),
    ...(objectRef ? { objectRef: strip(objectRef) } : {}),
    responseStatus: { metadata: {}, code: opts.code },
    requestReceivedTimestamp: micro(opts.received),
    stageTimestamp: micro(opts.completed),
  };
}

const strip = (r: ObjectReference): ObjectReference =>
  Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== "")) as ObjectReference;

/** RFC 3339 with microseconds, as audit events carry (metav1.MicroTime). */
const micro = (d: Date) => d.toISOString().replace(/Z$/, "000Z");
