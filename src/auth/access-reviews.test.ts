/** SelfSubjectReview's answer, and how the API describes the kind. */
import { describe, expect, it } from "vitest";
import { selfSubjectReviewStatus } from "./access-reviews.js";
import { findResource } from "../schema/registry.js";
import { aggregatedGroups, resourceList } from "../api/discovery.js";
import { bootstrapClusterRoles } from "./bootstrap-policy.js";

describe("selfSubjectReviewStatus", () => {
  it("reports the user's name and groups, adding system:authenticated once", () => {
    expect(selfSubjectReviewStatus({ name: "alice", groups: ["team-a"] })).toEqual({
      userInfo: { username: "alice", groups: ["team-a", "system:authenticated"] },
    });
    expect(selfSubjectReviewStatus({ name: "admin", groups: ["system:masters", "system:authenticated"] })).toEqual({
      userInfo: { username: "admin", groups: ["system:masters", "system:authenticated"] },
    });
  });
});

describe("selfsubjectreviews", () => {
  it("is a create-only, cluster-scoped kind that is never stored", () => {
    const rt = findResource("authentication.k8s.io", "v1", "selfsubjectreviews");
    expect(rt).toMatchObject({ kind: "SelfSubjectReview", namespaced: false, verbs: ["create"], persisted: false });
  });

  it("is listed by legacy and aggregated discovery", () => {
    const list = resourceList("authentication.k8s.io", "v1") as { resources: { name: string; verbs: string[] }[] };
    expect(list.resources).toContainEqual(expect.objectContaining({ name: "selfsubjectreviews", verbs: ["create"] }));
    expect(JSON.stringify(aggregatedGroups())).toContain('"resource":"selfsubjectreviews"');
  });

  it("may be created by every authenticated user through system:basic-user", () => {
    const basic = bootstrapClusterRoles().find((r) => r.metadata.name === "system:basic-user");
    expect(basic?.rules).toContainEqual(expect.objectContaining({ apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] }));
  });
});
