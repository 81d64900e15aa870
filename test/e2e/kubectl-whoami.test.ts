/**
 * `kubectl auth whoami` against `wrangler dev`: kubectl 1.32 POSTs an empty
 * SelfSubjectReview as protobuf, and prints the identity the server
 * authenticated, for the admin and for a user token with no RBAC bindings
 * (system:basic-user lets every authenticated user ask).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";

const USER = "whoami-e2e-bob";

describe("kubectl auth whoami", () => {
  let cp: ControlPlane;
  let kubectl: ReturnType<typeof kubectlFor>;

  beforeAll(async () => {
    cp = await startControlPlane();
    kubectl = kubectlFor(cp);
  });

  afterAll(async () => {
    await cp?.stop();
    if (cp) removeState(cp.stateDir);
  });

  it("prints the admin's name and groups", async () => {
    const out = await kubectl.ok(["auth", "whoami"]);
    expect(out).toMatch(/^ATTRIBUTE\s+VALUE$/m);
    expect(out).toMatch(/^Username\s+admin$/m);
    expect(out).toMatch(/^Groups\s+\[system:masters system:authenticated\]$/m);
  });

  it("prints a user token's name and groups, with no role bound to it", async () => {
    const created = await api(cp, "POST", "/kubeflare/v1/tokens", { user: USER, groups: ["team-whoami"] });
    expect(created.status, created.text).toBe(201);
    const r = await kubectl.run(["--token", created.body.token, "auth", "whoami", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const review = JSON.parse(r.stdout);
    expect(review).toMatchObject({ kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1" });
    expect(review.status.userInfo).toEqual({ username: USER, groups: ["team-whoami", "system:authenticated"] });
    const table = await kubectl.run(["--token", created.body.token, "auth", "whoami"]);
    expect(table.stdout).toMatch(new RegExp(`^Username\\s+${USER}$`, "m"));
  });

  it("is answered, not stored: GET is refused and discovery lists create only", async () => {
    const resources = await kubectl.ok(["api-resources", "--api-group=authentication.k8s.io", "-o", "wide"]);
    expect(resources).toMatch(/^selfsubjectreviews\s+authentication\.k8s\.io\/v1\s+false\s+SelfSubjectReview\s+create/m);
    const get = await api(cp, "GET", "/apis/authentication.k8s.io/v1/selfsubjectreviews");
    expect(get.status).toBe(405);
  });
});
