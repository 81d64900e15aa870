import { describe, expect, it } from "vitest";
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from "../schema/rbac.js";
import { authorize, grantsFor, type PolicySource } from "./authorize.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.js";
import { ruleAllows } from "./policy-rule.js";
import { requestAttributes, type RequestAttributes } from "./request-attributes.js";

const G = "rbac.authorization.k8s.io";
const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://k.test${path}`));
const resource = (over: Partial<Extract<RequestAttributes, { kind: "resource" }>>): RequestAttributes => ({
  kind: "resource",
  verb: "get",
  apiGroup: "",
  apiVersion: "v1",
  resource: "pods",
  subresource: "",
  namespace: "team-a",
  name: "",
  fieldSelector: "",
  ...over,
});

describe("ruleAllows", () => {
  const r = (rule: Partial<PolicyRule>): PolicyRule => ({ verbs: ["get"], apiGroups: [""], resources: ["pods"], ...rule });

  it("matches verbs, groups and resources exactly or by *", () => {
    expect(ruleAllows(resource({}), r({}))).toBe(true);
    expect(ruleAllows(resource({ verb: "list" }), r({}))).toBe(false);
    expect(ruleAllows(resource({ verb: "list" }), r({ verbs: ["*"] }))).toBe(true);
    expect(ruleAllows(resource({ apiGroup: "apps", resource: "pods" }), r({}))).toBe(false);
    expect(ruleAllows(resource({ apiGroup: "apps" }), r({ apiGroups: ["*"] }))).toBe(true);
    expect(ruleAllows(resource({ resource: "secrets" }), r({}))).toBe(false);
    expect(ruleAllows(resource({ resource: "secrets" }), r({ resources: ["*"] }))).toBe(true);
  });

  it("names subresources as resource/subresource, */subresource or *", () => {
    const status = resource({ verb: "update", subresource: "status" });
    expect(ruleAllows(status, r({ verbs: ["update"] }))).toBe(false);
    expect(ruleAllows(status, r({ verbs: ["update"], resources: ["pods/status"] }))).toBe(true);
    expect(ruleAllows(status, r({ verbs: ["update"], resources: ["*/status"] }))).toBe(true);
    expect(ruleAllows(status, r({ verbs: ["update"], resources: ["*/scale"] }))).toBe(false);
    expect(ruleAllows(status, r({ verbs: ["update"], resources: ["*"] }))).toBe(true);
    expect(ruleAllows(resource({}), r({ resources: ["pods/status"] }))).toBe(false);
  });

  it("limits to resourceNames only requests that name an object", () => {
    expect(ruleAllows(resource({ name: "web" }), r({ resourceNames: ["web"] }))).toBe(true);
    expect(ruleAllows(resource({ name: "db" }), r({ resourceNames: ["web"] }))).toBe(false);
    expect(ruleAllows(resource({ verb: "list" }), r({ verbs: ["list"], resourceNames: ["web"] }))).toBe(false);
  });

  it("matches non-resource URLs exactly or by a trailing *", () => {
    const u = (nonResourceURLs: string[], verbs = ["get"]): PolicyRule => ({ verbs, nonResourceURLs });
    expect(ruleAllows(attrs("GET", "/version"), u(["/version"]))).toBe(true);
    expect(ruleAllows(attrs("GET", "/apis/apps/v1"), u(["/apis/*"]))).toBe(true);
    expect(ruleAllows(attrs("GET", "/apis"), u(["/apis/*"]))).toBe(false);
    expect(ruleAllows(attrs("GET", "/healthz/x"), u(["/healthz"]))).toBe(false);
    expect(ruleAllows(attrs("POST", "/version"), u(["/version"]))).toBe(false);
    expect(ruleAllows(attrs("POST", "/anything"), u(["*"], ["*"]))).toBe(true);
    // A resource rule never covers a path, nor a URL rule a resource.
    expect(ruleAllows(attrs("GET", "/version"), r({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }))).toBe(false);
    expect(ruleAllows(resource({}), u(["*"], ["*"]))).toBe(false);
  });
});

function policy(opts: { roles?: Role[]; roleBindings?: RoleBinding[]; clusterRoles?: ClusterRole[]; clusterRoleBindings?: ClusterRoleBinding[] }) {
  const calls: string[] = [];
  const source: PolicySource = {
    async cluster() {
      calls.push("cluster");
      return {
        clusterRoles: [...bootstrapClusterRoles(), ...(opts.clusterRoles ?? [])],
        clusterRoleBindings: [...bootstrapClusterRoleBindings(), ...(opts.clusterRoleBindings ?? [])],
      };
    },
    async namespace(ns) {
      calls.push(`ns:${ns}`);
      const here = <T extends { metadata: { namespace?: string } }>(l: T[] = []) => l.filter((o) => o.metadata.namespace === ns);
      return { roles: here(opts.roles), roleBindings: here(opts.roleBindings) };
    },
  };
  return { source, calls };
}

const alice = { name: "alice", groups: ["system:authenticated"] };
const binding = (ns: string, name: string, roleKind: string, role: string, subjects: RoleBinding["subjects"]): RoleBinding => ({
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: G, kind: roleKind, name: role },
  subjects,
});

describe("authorize", () => {
  const editInTeamA = policy({ roleBindings: [binding("team-a", "alice-edit", "ClusterRole", "edit", [{ kind: "User", apiGroup: G, name: "alice" }])] });

  it("grants a ClusterRole through a RoleBinding only in that namespace", async () => {
    const { source } = editInTeamA;
    for (const [method, path] of [
      ["GET", "/api/v1/namespaces/team-a/pods"],
      ["POST", "/api/v1/namespaces/team-a/pods"],
      ["DELETE", "/api/v1/namespaces/team-a/pods/web"],
      ["GET", "/api/v1/namespaces/team-a/pods/web/log"],
      ["PATCH", "/apis/apps/v1/namespaces/team-a/deployments/web/scale"],
    ])
      expect((await authorize(alice, attrs(method, path), source)).allowed, `${method} ${path}`).toBe(true);
    for (const [method, path] of [
      ["GET", "/api/v1/namespaces/team-b/pods"],
      ["GET", "/api/v1/pods"],
      ["GET", "/api/v1/nodes"],
      // edit cannot grant itself more: roles and bindings are admin's.
      ["POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings"],
      ["PUT", "/api/v1/namespaces/team-a/pods/web/status"],
    ])
      expect((await authorize(alice, attrs(method, path), source)).allowed, `${method} ${path}`).toBe(false);
  });

  it("says which binding allowed a request, as upstream's reason", async () => {
    const d = await authorize(alice, attrs("GET", "/api/v1/namespaces/team-a/pods"), editInTeamA.source);
    expect(d.reason).toBe('RBAC: allowed by RoleBinding "alice-edit/team-a" of ClusterRole "edit" to User "alice"');
    const admin = await authorize({ name: "root", groups: ["system:masters"] }, attrs("DELETE", "/api/v1/nodes/n1"), editInTeamA.source);
    expect(admin).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' });
  });

  it("reads the namespace's bindings only when the cluster's do not allow", async () => {
    const p = policy({ clusterRoleBindings: [{ metadata: { name: "v" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", apiGroup: G, name: "viewers" }] }] });
    await authorize({ name: "bob", groups: ["viewers"] }, attrs("GET", "/api/v1/namespaces/x/pods"), p.source);
    expect(p.calls).toEqual(["cluster"]);
    await authorize({ name: "bob", groups: ["viewers"] }, attrs("POST", "/api/v1/namespaces/x/pods"), p.source);
    expect(p.calls).toContain("ns:x");
  });

  it("uses a namespace's Roles, and a RoleBinding to a Role elsewhere grants nothing", async () => {
    const role: Role = { metadata: { name: "reader", namespace: "team-a" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"] }] };
    const p = policy({
      roles: [role],
      roleBindings: [
        binding("team-a", "r", "Role", "reader", [{ kind: "Group", apiGroup: G, name: "devs" }]),
        binding("team-b", "r", "Role", "reader", [{ kind: "Group", apiGroup: G, name: "devs" }]),
      ],
    });
    const bob = { name: "bob", groups: ["devs"] };
    expect((await authorize(bob, attrs("GET", "/api/v1/namespaces/team-a/configmaps/app"), p.source)).allowed).toBe(true);
    expect((await authorize(bob, attrs("GET", "/api/v1/namespaces/team-a/configmaps/other"), p.source)).allowed).toBe(false);
    expect((await authorize(bob, attrs("GET", "/api/v1/namespaces/team-b/configmaps/app"), p.source)).allowed).toBe(false);
  });

  it("matches ServiceAccount subjects with the binding's namespace by default", async () => {
    const p = policy({ roleBindings: [binding("team-a", "sa", "ClusterRole", "view", [{ kind: "ServiceAccount", name: "builder" }])] });
    const sa = { name: "system:serviceaccount:team-a:builder", groups: [] };
    const d = await authorize(sa, attrs("GET", "/api/v1/namespaces/team-a/pods"), p.source);
    expect(d.reason).toBe('RBAC: allowed by RoleBinding "sa/team-a" of ClusterRole "view" to ServiceAccount "team-a/builder"');
    expect((await authorize({ name: "system:serviceaccount:team-b:builder", groups: [] }, attrs("GET", "/api/v1/namespaces/team-a/pods"), p.source)).allowed).toBe(false);
  });

  it("lets every authenticated user discover the API and review its own access, nothing more", async () => {
    const { source } = policy({});
    for (const path of ["/version", "/api", "/apis", "/api/v1", "/apis/apps/v1", "/openapi/v3", "/openapi/v3/api/v1"])
      expect((await authorize(alice, attrs("GET", path), source)).allowed, path).toBe(true);
    expect((await authorize(alice, attrs("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), source)).allowed).toBe(true);
    expect((await authorize(alice, attrs("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews"), source)).allowed).toBe(false);
    expect((await authorize(alice, attrs("GET", "/kubeflare/v1/tokens"), source)).allowed).toBe(false);
    expect((await authorize({ name: "nobody", groups: [] }, attrs("GET", "/api"), source)).allowed).toBe(false);
  });

  it("lists every grant for SelfSubjectRulesReview", async () => {
    const grants = await grantsFor(alice, "team-a", editInTeamA.source);
    expect(grants.map((g) => g.binding.metadata.name)).toEqual(["system:discovery", "system:public-info-viewer", "system:basic-user", "alice-edit"]);
  });
});

describe("built-in roles", () => {
  const rules = (name: string) => bootstrapClusterRoles().find((r) => r.metadata.name === name)!.rules!;
  const can = (role: string, method: string, path: string) => rules(role).some((r) => ruleAllows(attrs(method, path), r));

  it("nest view ⊂ edit ⊂ admin ⊂ cluster-admin", () => {
    expect(can("view", "GET", "/api/v1/namespaces/a/pods")).toBe(true);
    expect(can("view", "GET", "/api/v1/namespaces/a/secrets/s")).toBe(false);
    expect(can("edit", "GET", "/api/v1/namespaces/a/secrets/s")).toBe(true);
    expect(can("view", "POST", "/api/v1/namespaces/a/pods")).toBe(false);
    expect(can("edit", "POST", "/apis/apps/v1/namespaces/a/deployments")).toBe(true);
    expect(can("edit", "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles")).toBe(false);
    expect(can("admin", "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles")).toBe(true);
    expect(can("admin", "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles")).toBe(false);
    expect(can("admin", "GET", "/api/v1/nodes")).toBe(false);
    expect(can("cluster-admin", "DELETE", "/api/v1/nodes/n1")).toBe(true);
    for (const role of ["view", "edit", "admin"]) for (const r of rules("view")) expect(rules(role)).toContainEqual(r);
  });

  it("carry the bootstrapping label", () => {
    for (const o of [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()])
      expect(o.metadata.labels?.["kubernetes.io/bootstrapping"]).toBe("rbac-defaults");
  });
});
