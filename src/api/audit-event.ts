/**
 * What the audit log records of one request, in the shape of Kubernetes'
 * audit.k8s.io/v1 Event at level Metadata (who, verb, object, outcome,
 * when; never the request or response body, so no Secret data lands here).
 */
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

/** The object a REST path addresses; undefined for paths outside the resource API (e.g. /kubeflare/v1/...). */
export function objectRefOf(pathname: string): ObjectReference | undefined {
  let seg: string[];
  try {
    seg = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let apiGroup: string;
  let apiVersion: string;
  if (seg[0] === "api" && seg.length >= 3) {
    apiGroup = "";
    apiVersion = seg[1];
    seg = seg.slice(2);
  } else if (seg[0] === "apis" && seg.length >= 4) {
    apiGroup = seg[1];
    apiVersion = seg[2];
    seg = seg.slice(3);
  } else return undefined;
  const ref: ObjectReference = { apiGroup: apiGroup || undefined, apiVersion };
  if (seg[0] === "namespaces" && seg.length >= 3 && seg[2] !== "status" && seg[2] !== "finalize") {
    return { ...ref, namespace: seg[1], resource: seg[2], name: seg[3], subresource: seg[4] };
  }
  return { ...ref, resource: seg[0], name: seg[1], subresource: seg[2] };
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
