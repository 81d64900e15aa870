/**
 * RBAC with the real kubectl against `wrangler dev`: `kubectl auth can-i`
 * (SelfSubjectAccessReview, sent as protobuf) and `--list`
 * (SelfSubjectRulesReview), and a user token bound to `edit` in one
 * namespace that manages pods there and gets upstream's 403 elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";

const NS_A = "rbac-e2e-a";
const NS_B = "rbac-e2e-b";
const USER = "rbac-e2e-alice";

describe("kubectl and RBAC", () => {
  let cp: ControlPlane;
  let kubectl: ReturnType<typeof kubectlFor>;
  let aliceToken: string;
  /** kubectl as the user: --token replaces the kubeconfig's admin token. */
  const asAlice = (args: string[]) => kubectl.run(["--token", aliceToken, ...args]);

  beforeAll(async () => {
    cp = await startControlPlane();
    kubectl = kubectlFor(cp);
    await kubectl.ok(["create", "namespace", NS_A]);
    await kubectl.ok(["create", "namespace", NS_B]);
    const created = await api(cp, "POST", "/kubeflare/v1/tokens", { user: USER });
    expect(created.status, created.text).toBe(201);
    aliceToken = created.body.token;
  });

  afterAll(async () => {
    await cp?.stop();
    if (cp) removeState(cp.stateDir);
  });

  it("answers kubectl auth can-i for the admin", async () => {
    expect((await kubectl.ok(["auth", "can-i", "create", "pods", "-n", NS_A])).trim()).toBe("yes");
    expect((await kubectl.ok(["auth", "can-i", "delete", "nodes"])).trim()).toBe("yes");
    const list = await kubectl.ok(["auth", "can-i", "--list", "-n", NS_A]);
    expect(list).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/m);
    expect(list).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/m);
  });

  it("lets a user bound to edit manage pods in its namespace only, with upstream's 403 text elsewhere", async () => {
    expect((await asAlice(["auth", "can-i", "create", "pods", "-n", NS_A])).stdout.trim()).toBe("no");
    await kubectl.ok(["create", "rolebinding", "alice-edit", "--clusterrole=edit", `--user=${USER}`, "-n", NS_A]);
    const wide = await kubectl.ok(["get", "rolebindings", "-n", NS_A, "-o", "wide"]);
    expect(wide).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS/);
    expect(wide).toMatch(new RegExp(`^alice-edit\\s+ClusterRole/edit\\s+\\S+\\s+${USER}`, "m"));

    const yes = await asAlice(["auth", "can-i", "create", "pods", "-n", NS_A]);
    expect(yes.stdout.trim(), yes.stderr).toBe("yes");
    const no = await asAlice(["auth", "can-i", "create", "pods", "-n", NS_B]);
    expect(no.stdout.trim()).toBe("no");
    expect(no.code).toBe(1);

    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: kubeflare/busybox:test
`;
    const applied = await kubectl.run(["--token", aliceToken, "apply", "-n", NS_A, "-f", "-"], pod);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("pod/web created");
    const listed = await asAlice(["get", "pods", "-n", NS_A, "-o", "name"]);
    expect(listed.stdout.trim(), listed.stderr).toBe("pod/web");
    const deleted = await asAlice(["delete", "pod", "web", "-n", NS_A, "--wait=false"]);
    expect(deleted.code, deleted.stderr).toBe(0);

    const refused = await asAlice(["get", "pods", "-n", NS_B]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "${NS_B}"`,
    );
    const nodes = await asAlice(["get", "nodes"]);
    expect(nodes.stderr).toContain(`nodes is forbidden: User "${USER}" cannot list resource "nodes" in API group "" at the cluster scope`);

    const rules = await asAlice(["auth", "can-i", "--list", "-n", NS_A]);
    expect(rules.code, rules.stderr).toBe(0);
    // kubectl merges the verbs of edit's and view's rules for pods into one line.
    const podsLine = rules.stdout.split("\n").find((l) => /^pods\s/.test(l)) ?? "";
    for (const verb of ["create", "delete", "get", "list", "watch"]) expect(podsLine).toContain(verb);
    expect(rules.stdout).toContain("selfsubjectaccessreviews.authorization.k8s.io");
  });
});
