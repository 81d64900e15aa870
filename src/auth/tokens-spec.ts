/**
 * The token API's bodies: what a create or join request may ask for
 * (checked here, 422 naming the field as the apiserver does) and how a stored
 * token is shown (Kubernetes-style objects under apiVersion kubeflare/v1).
 * Pure.
 */
import { invalid, type Cause } from "../errors.js";
import { dns1123SubdomainErrors } from "../registry/names.js";
import {
  AUTHENTICATED_GROUP,
  BOOTSTRAPPERS_GROUP,
  DEFAULT_JOIN_TOKEN_SECONDS,
  NODES_GROUP,
  NODE_USER_PREFIX,
  withAuthenticated,
  type TokenRecord,
} from "./tokens.js";

export const API_VERSION = "kubeflare/v1";

/** A year: tokens meant to outlive that should have no expiry, said explicitly. */
const MAX_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;
const MAX_JOIN_USES = 10_000;
const MAX_GROUPS = 64;
const MAX_TEXT = 253;
const MAX_DESCRIPTION = 1024;

export interface UserTokenRequest {
  user: string;
  groups: string[];
  expirationSeconds?: number;
  description?: string;
}

export interface JoinTokenRequest {
  expirationSeconds: number;
  uses: number;
  description?: string;
}

const isPositiveInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

function expirationCauses(v: unknown, causes: Cause[]): void {
  if (v === undefined) return;
  if (!isPositiveInteger(v) || v > MAX_EXPIRATION_SECONDS)
    causes.push({ field: "expirationSeconds", message: `Invalid value: ${JSON.stringify(v)}: must be a whole number of seconds from 1 to ${MAX_EXPIRATION_SECONDS}` });
}

function descriptionCauses(v: unknown, causes: Cause[]): void {
  if (v !== undefined && (typeof v !== "string" || v.length > MAX_DESCRIPTION))
    causes.push({ field: "description", message: `Invalid value: must be a string of at most ${MAX_DESCRIPTION} characters` });
}

/**
 * A user token's identity. Node identities come only from joining (NodeRestriction
 * trusts system:node:* and system:nodes), and bootstrap ones only from join tokens,
 * so a user token may not claim either.
 */
export function parseUserTokenRequest(body: Record<string, unknown>): UserTokenRequest {
  const causes: Cause[] = [];
  const { user, groups = [], expirationSeconds, description } = body;
  if (user === undefined || user === "") causes.push({ reason: "FieldValueRequired", field: "user", message: "Required value" });
  else if (typeof user !== "string" || user.length > MAX_TEXT || /\s/.test(user))
    causes.push({ field: "user", message: `Invalid value: must be a string of at most ${MAX_TEXT} characters without whitespace` });
  else if (user.startsWith(NODE_USER_PREFIX) || user.startsWith("system:bootstrap:"))
    causes.push({ reason: "FieldValueForbidden", field: "user", message: `Forbidden: node and bootstrap identities come only from joining a node` });
  if (!Array.isArray(groups) || groups.length > MAX_GROUPS) causes.push({ field: "groups", message: `Invalid value: must be a list of at most ${MAX_GROUPS} group names` });
  else
    groups.forEach((g, i) => {
      if (typeof g !== "string" || g === "" || g.length > MAX_TEXT || /\s/.test(g))
        causes.push({ field: `groups[${i}]`, message: `Invalid value: ${JSON.stringify(g)}: must be a non-empty name without whitespace` });
      else if (g === NODES_GROUP || g === BOOTSTRAPPERS_GROUP)
        causes.push({ reason: "FieldValueForbidden", field: `groups[${i}]`, message: `Forbidden: ${g} comes only from joining a node` });
    });
  expirationCauses(expirationSeconds, causes);
  descriptionCauses(description, causes);
  if (causes.length) throw invalid("Token", typeof user === "string" ? user : "", causes);
  return {
    user: user as string,
    groups: withAuthenticated([...new Set(groups as string[])].filter((g) => g !== AUTHENTICATED_GROUP)),
    expirationSeconds: expirationSeconds as number | undefined,
    description: description as string | undefined,
  };
}

export function parseJoinTokenRequest(body: Record<string, unknown>): JoinTokenRequest {
  const causes: Cause[] = [];
  const { expirationSeconds = DEFAULT_JOIN_TOKEN_SECONDS, uses = 1, description } = body;
  // Join tokens always expire: a leaked one must not admit nodes forever.
  if (expirationSeconds === null) causes.push({ field: "expirationSeconds", message: "Invalid value: null: join tokens always expire" });
  else expirationCauses(expirationSeconds, causes);
  if (!isPositiveInteger(uses) || uses > MAX_JOIN_USES)
    causes.push({ field: "uses", message: `Invalid value: ${JSON.stringify(uses)}: must be a whole number from 1 to ${MAX_JOIN_USES}` });
  descriptionCauses(description, causes);
  if (causes.length) throw invalid("JoinToken", "", causes);
  return { expirationSeconds: expirationSeconds as number, uses: uses as number, description: description as string | undefined };
}

/** The node name a join asks for: a Node's name rules. */
export function parseJoinRequest(body: Record<string, unknown>): { nodeName: string } {
  const { nodeName } = body;
  if (nodeName === undefined || nodeName === "")
    throw invalid("NodeCredential", "", [{ reason: "FieldValueRequired", field: "nodeName", message: "Required value" }]);
  const errors = typeof nodeName === "string" ? dns1123SubdomainErrors(nodeName) : ["must be a string"];
  if (errors.length)
    throw invalid("NodeCredential", String(nodeName), errors.map((e) => ({ field: "nodeName", message: `Invalid value: ${JSON.stringify(nodeName)}: ${e}` })));
  return { nodeName: nodeName as string };
}

// ---- how tokens are shown ------------------------------------------------

export const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const KINDS = { user: "Token", node: "Token", join: "JoinToken" } as const;

/** A stored token as the API shows it; `token` (the secret) only in the answer that created it. */
export function tokenView(r: TokenRecord, token?: string): Record<string, unknown> {
  const view: Record<string, unknown> = { kind: KINDS[r.type], apiVersion: API_VERSION, id: r.id };
  if (r.type !== "join") Object.assign(view, { type: r.type, user: r.user, groups: r.groups });
  if (r.node !== undefined) view.nodeName = r.node;
  if (r.usesRemaining !== undefined) view.usesRemaining = r.usesRemaining;
  if (r.description) view.description = r.description;
  if (r.createdBy) view.createdBy = r.createdBy;
  view.creationTimestamp = timestamp(r.createdAt);
  view.expirationTimestamp = r.expiresAt === null ? null : timestamp(r.expiresAt);
  if (token !== undefined) view.token = token;
  return view;
}

export function tokenListView(kind: "TokenList" | "JoinTokenList", records: TokenRecord[]): Record<string, unknown> {
  return { kind, apiVersion: API_VERSION, items: records.map((r) => tokenView(r)) };
}
