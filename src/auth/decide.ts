/**
 * The authorizer chain, in upstream's order: the system:masters group is
 * always allowed, nodes go through the node authorizer, and RBAC decides the
 * rest (and whatever the node authorizer refused).
 */
import type { UserInfo } from "../api/auth.js";
import { authorize, type Decision, type PolicySource } from "./authorize.js";
import { authorizeNode, nodeNameOf, type NodeGraph } from "./node-restriction.js";
import type { RequestAttributes } from "./request-attributes.js";

export const MASTERS_GROUP = "system:masters";
export const AUTHENTICATED_GROUP = "system:authenticated";

export interface Authorities {
  policy: PolicySource;
  /** Only asked for node identities. */
  nodeGraph: () => NodeGraph;
}

/** Every authenticated identity is in system:authenticated, as upstream's authenticator adds it. */
export const withAuthenticatedGroup = (user: UserInfo): UserInfo =>
  user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };

export async function decide(user: UserInfo, attrs: RequestAttributes, authorities: Authorities): Promise<Decision> {
  if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: "" };
  const node = nodeNameOf(user);
  let nodeDecision: Decision | undefined;
  if (node !== undefined) {
    nodeDecision = await authorizeNode(node, attrs, authorities.nodeGraph());
    if (nodeDecision.allowed) return nodeDecision;
  }
  const rbac = await authorize(user, attrs, authorities.policy);
  if (rbac.allowed || !nodeDecision) return rbac;
  return nodeDecision;
}
