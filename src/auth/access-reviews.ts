/**
 * authorization.k8s.io/v1 reviews, answered and never stored:
 * SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
 * (`kubectl auth can-i --list`) and SubjectAccessReview (ask for anyone;
 * creating one needs RBAC permission, cluster-admin has it); and
 * authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`).
 */
import type { Context } from "hono";
import type { AppEnv } from "../api/app.js";
import { readObject } from "../api/body.js";
import { json } from "../api/responses.js";
import type { ResourceRequest } from "../api/request-path.js";
import { KubeError, invalid, type Cause } from "../errors.js";
import { groupVersion, type ResourceType } from "../schema/registry.js";
import { validateSchema } from "../api/openapi/index.js";
import type { PolicyRule } from "../schema/rbac.js";
import type { UserInfo } from "../api/auth.js";
import { grantsFor, type Decision } from "./authorize.js";
import { decide, withAuthenticatedGroup } from "./decide.js";
import { authorities } from "./middleware.js";
import { nodeNameOf } from "./node-restriction.js";
import { NODE_STATIC_RULES } from "./node-rules.js";
import type { RequestAttributes } from "./request-attributes.js";

type Spec = Record<string, any>;

/** spec.resourceAttributes or spec.nonResourceAttributes, exactly one, as upstream validates. */
export function reviewAttributes(kind: string, spec: Spec): RequestAttributes {
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  const causes: Cause[] = [];
  if (r && n)
    causes.push({ reason: "FieldValueInvalid", field: "spec.nonResourceAttributes", message: `Invalid value: ${JSON.stringify(n)}: cannot be specified in combination with resourceAttributes` });
  if (!r && !n)
    causes.push({ reason: "FieldValueRequired", field: "spec.resourceAttributes", message: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified" });
  if (causes.length) throw invalid(kind, "", causes, "authorization.k8s.io");
  if (n) return { kind: "nonResource", verb: String(n.verb ?? ""), path: String(n.path ?? "") };
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    kind: "resource",
    verb: s(r.verb),
    apiGroup: s(r.group),
    apiVersion: s(r.version),
    resource: s(r.resource),
    subresource: s(r.subresource),
    namespace: s(r.namespace),
    name: s(r.name),
    fieldSelector: s(r.fieldSelector?.rawSelector),
  };
}

const reviewStatus = (d: Decision) => ({ allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) });

/** The rules a user holds in a namespace, as SelfSubjectRulesReview reports them. */
export async function rulesReviewStatus(user: UserInfo, namespace: string, c: Context<AppEnv>) {
  const grants = await grantsFor(user, namespace, authorities(c.env, c.req.raw).policy);
  const rules: PolicyRule[] = grants.flatMap((g) => g.rules);
  // Upstream's node authorizer cannot list its rules either: it says so with incomplete.
  const node = nodeNameOf(user) !== undefined;
  if (node) rules.push(...NODE_STATIC_RULES);
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map((r) => ({
      verbs: r.verbs,
      ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
      ...(r.resources ? { resources: r.resources } : {}),
      ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return {
    resourceRules,
    nonResourceRules,
    incomplete: node,
    ...(node ? { evaluationError: "node authorizer does not support user rule resolution" } : {}),
  };
}

/**
 * What SelfSubjectReview answers: the identity this request was
 * authenticated as, with system:authenticated as upstream's authenticator
 * adds it. Tokens here carry no uid or extra, so neither is reported.
 */
export function selfSubjectReviewStatus(user: UserInfo): { userInfo: { username: string; groups: string[] } } {
  const self = withAuthenticatedGroup(user);
  return { userInfo: { username: self.name, groups: [...self.groups] } };
}

/**
 * A review must have its schema's shape, and no metadata of its own: it is
 * never stored, so a name, labels or annotations would be silently lost
 * (upstream refuses them the same way, "must be empty").
 */
function checkReview(rt: ResourceType, body: Record<string, unknown>): void {
  const causes = validateSchema(rt, body);
  if (!causes.length && body.metadata) {
    const { creationTimestamp, managedFields: _managedFields, ...rest } = body.metadata as Record<string, unknown>;
    if (creationTimestamp !== undefined && creationTimestamp !== null) rest.creationTimestamp = creationTimestamp;
    if (Object.values(rest).some((v) => v !== undefined && v !== null && v !== ""))
      causes.push({ reason: "FieldValueInvalid", field: "metadata", message: "Invalid value: the object's metadata: must be empty" });
  }
  if (causes.length) throw invalid(rt.kind, "", causes, rt.group);
}

export async function handleAccessReview(c: Context<AppEnv>, req: ResourceRequest): Promise<Response> {
  const rt = req.type;
  if (c.req.method !== "POST" || req.name !== undefined)
    throw new KubeError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${c.req.method})`);
  const body = await readObject(c.req.raw);
  checkReview(rt, body);
  if (rt.kind === "SelfSubjectReview")
    return json({ kind: rt.kind, apiVersion: groupVersion(rt), metadata: { creationTimestamp: null }, status: selfSubjectReviewStatus(c.get("user")) }, 201);
  const spec = (body.spec && typeof body.spec === "object" ? body.spec : {}) as Spec;
  const self = withAuthenticatedGroup(c.get("user"));
  let status: unknown;
  if (rt.kind === "SelfSubjectRulesReview") {
    status = await rulesReviewStatus(self, typeof spec.namespace === "string" ? spec.namespace : "", c);
  } else {
    const attrs = reviewAttributes(rt.kind, spec);
    const subject =
      rt.kind === "SubjectAccessReview"
        ? { name: typeof spec.user === "string" ? spec.user : "", groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] }
        : self;
    if (rt.kind === "SubjectAccessReview" && !subject.name && !subject.groups.length)
      throw invalid(rt.kind, "", [{ reason: "FieldValueInvalid", field: "spec.user", message: 'Invalid value: "": at least one of user or group must be specified' }], rt.group);
    status = reviewStatus(await decide(subject, attrs, authorities(c.env, c.req.raw)));
  }
  return json({ kind: rt.kind, apiVersion: groupVersion(rt), metadata: { creationTimestamp: null }, spec, status }, 201);
}
