import { describe, expect, it } from "vitest";
import { deploymentParams, maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from "./deployment-util.js";
import { makeDeployment } from "./testing/workloads.js";

describe("rolling update arithmetic", () => {
  it.each([
    // maxSurge, maxUnavailable, replicas → surge, unavailable
    ["25%", "25%", 10, 3, 2],
    [3, 2, 10, 3, 2],
    ["10%", 0, 10, 1, 0],
    [0, "10%", 10, 0, 1],
    ["50%", "50%", 10, 5, 5],
    ["34%", "34%", 10, 4, 3],
    ["1%", "1%", 10, 1, 0],
    ["100%", "0%", 10, 10, 0],
    [0, 0, 10, 0, 1],
    ["0%", "0%", 10, 0, 1],
    [0, "5%", 10, 0, 1],
    ["25%", "25%", 1, 1, 0],
    ["25%", "25%", 3, 1, 0],
  ] as const)("maxSurge=%s maxUnavailable=%s of %i → surge %i, unavailable %i", (s, u, replicas, surge, unavailable) => {
    expect(resolveFenceposts(s, u, replicas)).toEqual({ surge, unavailable });
  });

  it("rounds percentages up for surge and down for unavailable", () => {
    expect(scaledValue("25%", 7, true)).toBe(2);
    expect(scaledValue("25%", 7, false)).toBe(1);
    expect(scaledValue(4, 7, false)).toBe(4);
  });

  it("caps maxUnavailable at replicas and is zero for zero replicas or Recreate", () => {
    const p = deploymentParams(makeDeployment("web", { replicas: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } }));
    expect(maxUnavailable(p)).toBe(2);
    expect(maxUnavailable({ ...p, replicas: 0 })).toBe(0);
    const recreate = deploymentParams(makeDeployment("web", { strategy: { type: "Recreate" } }));
    expect(maxUnavailable(recreate)).toBe(0);
    expect(maxSurge(recreate)).toBe(0);
  });

  it("applies the API defaults", () => {
    const p = deploymentParams(makeDeployment("web", { replicas: undefined }));
    expect(p).toMatchObject({ replicas: 1, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%", revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
  });
});
