/**
 * Authorization inside the Workers runtime, with real user tokens and node
 * credentials: the built-in RBAC policy, a user bound to `edit` in one
 * namespace, access reviews, and what a node credential can and cannot reach.
 */
import { SELF, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { StoreKernel } from "../../src/durable/store-kernel.js";
import { call, createNode, env, storeStub } from "./helpers.js";

const G = "rbac.authorization.k8s.io";

async function as(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await SELF.fetch(`https://kubeflare.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

async function userToken(user: string, groups: string[] = []): Promise<string> {
  const r = await call("POST", "/kubeflare/v1/tokens", { user, groups });
  expect(r.status, r.text).toBe(201);
  return r.body.token;
}

async function nodeToken(nodeName: string): Promise<string> {
  const jt = await call("POST", "/kubeflare/v1/jointokens", {});
  expect(jt.status, jt.text).toBe(201);
  const joined = await as(jt.body.token, "POST", "/kubeflare/v1/join", { nodeName });
  expect(joined.status, joined.text).toBe(201);
  return joined.body.token;
}

async function namespace(name: string) {
  const r = await call("POST", "/api/v1/namespaces", { metadata: { name } });
  expect(r.status, r.text).toBe(201);
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: "main", image: "busybox" }], ...extra },
});

const review = (resourceAttributes: Record<string, string>) => ({
  apiVersion: "authorization.k8s.io/v1",
  kind: "SelfSubjectAccessReview",
  spec: { resourceAttributes },
});

describe("built-in policy", () => {
  it("has cluster-admin, admin, edit, view and system:node, labelled, and cluster-admin bound to system:masters", async () => {
    const roles = (await call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles")).body.items;
    for (const name of ["cluster-admin", "admin", "edit", "view", "system:node", "system:discovery", "system:basic-user"]) {
      const role = roles.find((r: any) => r.metadata.name === name);
      expect(role, name).toBeDefined();
      expect(role.metadata.labels["kubernetes.io/bootstrapping"]).toBe("rbac-defaults");
    }
    const crb = (await call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin")).body;
    expect(crb.roleRef).toEqual({ apiGroup: G, kind: "ClusterRole", name: "cluster-admin" });
    expect(crb.subjects).toEqual([{ kind: "Group", apiGroup: G, name: "system:masters" }]);
  });

  it("comes back when the cluster store starts again after a default was deleted", async () => {
    expect((await call("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view")).status).toBe(200);
    expect((await call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view")).status).toBe(404);
    await runInDurableObject(storeStub("cluster"), (_: unknown, state: DurableObjectState) => {
      new StoreKernel(state.storage.sql, env).bootstrapIfCluster("clusterroles");
    });
    const view = await call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
    expect(view.status).toBe(200);
    expect(view.body.rules.length).toBeGreaterThan(0);
  });

  it("refuses a changed roleRef with 422 naming the field, and keeps aggregationRule as given", async () => {
    const rb = await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
      metadata: { name: "fixed" },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "User", apiGroup: G, name: "carol" }],
    });
    expect(rb.status, rb.text).toBe(201);
    const changed = await call("PUT", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/fixed", { ...rb.body, roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" } });
    expect(changed.status).toBe(422);
    expect(changed.body.details.causes).toEqual([expect.objectContaining({ field: "roleRef" })]);
    const agg = await call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
      metadata: { name: "monitoring" },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/aggregate-to-monitoring": "true" } }] },
    });
    expect(agg.status, agg.text).toBe(201);
    expect(agg.body.aggregationRule.clusterRoleSelectors).toHaveLength(1);
    const noVerbs = await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", { metadata: { name: "r" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: [] }] });
    expect(noVerbs.status).toBe(422);
  });
});

describe("a user bound to edit in one namespace", () => {
  it("manages pods there and gets upstream's 403 anywhere else", async () => {
    await namespace("rbac-team-a");
    await namespace("rbac-team-b");
    const alice = await userToken("rbac-alice");
    expect((await as(alice, "GET", "/api/v1/namespaces/rbac-team-a/pods")).status).toBe(403);
    const bound = await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-team-a/rolebindings", {
      metadata: { name: "alice-edit" },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "User", apiGroup: G, name: "rbac-alice" }],
    });
    expect(bound.status, bound.text).toBe(201);

    expect((await as(alice, "POST", "/api/v1/namespaces/rbac-team-a/pods", pod("web"))).status).toBe(201);
    expect((await as(alice, "GET", "/api/v1/namespaces/rbac-team-a/pods")).body.items.map((p: any) => p.metadata.name)).toEqual(["web"]);
    expect((await as(alice, "DELETE", "/api/v1/namespaces/rbac-team-a/pods/web")).status).toBe(200);

    const elsewhere = await as(alice, "GET", "/api/v1/namespaces/rbac-team-b/pods");
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods is forbidden: User "rbac-alice" cannot list resource "pods" in API group "" in the namespace "rbac-team-b"',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    const nodes = await as(alice, "GET", "/api/v1/nodes");
    expect(nodes.body.message).toBe('nodes is forbidden: User "rbac-alice" cannot list resource "nodes" in API group "" at the cluster scope');
    // edit holds no power over bindings: alice cannot make herself admin.
    const escalate = await as(alice, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-team-a/rolebindings", { metadata: { name: "x" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" }, subjects: [] });
    expect(escalate.status).toBe(403);
    // Discovery and her own access reviews are open to every authenticated user.
    expect((await as(alice, "GET", "/api")).status).toBe(200);
    expect((await as(alice, "GET", "/apis/apps/v1")).status).toBe(200);
    expect((await as(alice, "GET", "/kubeflare/v1/tokens")).status).toBe(403);
  });

  it("asks SelfSubjectAccessReview and SelfSubjectRulesReview, and the admin asks SubjectAccessReview", async () => {
    await namespace("rbac-review");
    const dave = await userToken("rbac-dave", ["rbac-reviewers"]);
    await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-review/rolebindings", {
      metadata: { name: "reviewers-view" },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "Group", apiGroup: G, name: "rbac-reviewers" }],
    });
    const yes = await as(dave, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review({ namespace: "rbac-review", verb: "list", resource: "pods" }));
    expect(yes.status).toBe(201);
    expect(yes.body).toMatchObject({
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "reviewers-view/rbac-review" of ClusterRole "view" to Group "rbac-reviewers"' },
    });
    const no = await as(dave, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review({ namespace: "rbac-review", verb: "create", resource: "pods" }));
    expect(no.body.status).toEqual({ allowed: false });
    const neither = await as(dave, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { spec: {} });
    expect(neither.status).toBe(422);

    const rules = await as(dave, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { spec: { namespace: "rbac-review" } });
    expect(rules.status).toBe(201);
    expect(rules.body.status.incomplete).toBe(false);
    expect(rules.body.status.resourceRules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["namespaces"] });
    expect(rules.body.status.nonResourceRules).toContainEqual(expect.objectContaining({ nonResourceURLs: expect.arrayContaining(["/version"]) }));

    const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "rbac-dave", groups: ["rbac-reviewers"], resourceAttributes: { namespace: "rbac-review", verb: "get", resource: "pods" } } };
    expect((await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar)).body.status.allowed).toBe(true);
    expect((await as(dave, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar)).status).toBe(403);
    expect((await call("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).status).toBe(405);
  });

  it("lists the access reviews in discovery", async () => {
    const list = await call("GET", "/apis/authorization.k8s.io/v1");
    expect(list.body.resources.map((r: any) => [r.name, r.verbs])).toEqual([
      ["selfsubjectaccessreviews", ["create"]],
      ["selfsubjectrulesreviews", ["create"]],
      ["subjectaccessreviews", ["create"]],
    ]);
  });
});

describe("a node credential", () => {
  it("reaches its own Node, Lease, pods and their ConfigMaps and Secrets, and nothing else", async () => {
    await namespace("rbac-nodes");
    await createNode("rbac-n1");
    await createNode("rbac-n2");
    const n1 = await nodeToken("rbac-n1");
    const ns = "/api/v1/namespaces/rbac-nodes";
    for (const [kind, name] of [["secrets", "s1"], ["secrets", "s2"], ["secrets", "loose"], ["configmaps", "c1"], ["secrets", "tls"]]) {
      const body = kind === "secrets" ? { metadata: { name }, stringData: { k: "v" } } : { metadata: { name }, data: { k: "v" } };
      expect((await call("POST", `${ns}/${kind}`, body)).status).toBe(201);
    }
    // Refused before a pod reads it; allowed right after, though the refusal was cached.
    expect((await as(n1, "GET", `${ns}/secrets/s1`)).status).toBe(403);
    const volumes = (secret: string) => ({ volumes: [{ name: "s", secret: { secretName: secret } }, { name: "c", configMap: { name: "c1" } }] });
    expect((await call("POST", `${ns}/pods`, pod("on-n1", { nodeName: "rbac-n1", ...volumes("s1") }))).status).toBe(201);
    expect((await call("POST", `${ns}/pods`, pod("on-n2", { nodeName: "rbac-n2", ...volumes("s2") }))).status).toBe(201);
    const ingress = await call("POST", "/apis/networking.k8s.io/v1/namespaces/rbac-nodes/ingresses", {
      metadata: { name: "web" },
      spec: { tls: [{ hosts: ["web.example"], secretName: "tls" }], defaultBackend: { service: { name: "web", port: { number: 80 } } } },
    });
    expect(ingress.status, ingress.text).toBe(201);

    const code = async (method: string, path: string, body?: unknown) => (await as(n1, method, path, body)).status;
    expect(await code("GET", `${ns}/pods/on-n1`)).toBe(200);
    expect(await code("GET", `${ns}/pods/on-n2`)).toBe(403);
    expect(await code("GET", `${ns}/secrets/s1`)).toBe(200);
    expect(await code("GET", `${ns}/configmaps/c1`)).toBe(200);
    expect(await code("GET", `${ns}/secrets/tls`)).toBe(200);
    const other = await as(n1, "GET", `${ns}/secrets/s2`);
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(
      `secrets "s2" is forbidden: User "system:node:rbac-n1" cannot get resource "secrets" in API group "" in the namespace "rbac-nodes": no relationship found between node 'rbac-n1' and this object`,
    );
    expect(await code("GET", `${ns}/secrets/loose`)).toBe(403);
    expect(await code("GET", `${ns}/secrets`)).toBe(403);
    expect(await code("GET", `/api/v1/pods?fieldSelector=spec.nodeName%3Drbac-n1`)).toBe(200);
    expect(await code("GET", `/api/v1/pods`)).toBe(403);
    expect(await code("GET", "/apis/apps/v1/deployments")).toBe(403);

    // Its pods' status, its Node, its Lease.
    const mine = (await as(n1, "GET", `${ns}/pods/on-n1`)).body;
    expect(await code("PUT", `${ns}/pods/on-n1/status`, { ...mine, status: { ...mine.status, phase: "Running" } })).toBe(200);
    const theirs = (await call("GET", `${ns}/pods/on-n2`)).body;
    expect(await code("PUT", `${ns}/pods/on-n2/status`, { ...theirs, status: { ...theirs.status, phase: "Running" } })).toBe(403);
    const node = (await as(n1, "GET", "/api/v1/nodes/rbac-n1")).body;
    expect(await code("PUT", "/api/v1/nodes/rbac-n1/status", node)).toBe(200);
    const otherNode = (await as(n1, "GET", "/api/v1/nodes/rbac-n2")).body;
    expect(await code("PUT", "/api/v1/nodes/rbac-n2/status", otherNode)).toBe(403);
    expect(await code("POST", "/api/v1/nodes", { metadata: { name: "rbac-n3" } })).toBe(403);
    expect(await code("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/rbac-n1")).toBe(200);
    expect(await code("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/rbac-n2")).toBe(403);

    // Its own agent endpoints only.
    expect(await code("GET", "/kubeflare/v1/nodes/rbac-n1/desired?timeoutSeconds=0")).toBe(200);
    expect(await code("GET", "/kubeflare/v1/nodes/rbac-n2/desired?timeoutSeconds=0")).toBe(403);

    // The pod it runs can be finished by it; another node's cannot.
    expect(await code("DELETE", `${ns}/pods/on-n2`, { gracePeriodSeconds: 0 })).toBe(403);
    expect(await code("DELETE", `${ns}/pods/on-n1`, { gracePeriodSeconds: 0 })).toBe(200);
  });
});
