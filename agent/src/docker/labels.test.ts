import { describe, expect, it } from "vitest";
import type { Pod } from "../../../src/schema/core.js";
import { containerLabels, dockerContainerName, nodeLabelFilter, parseContainerLabels } from "./labels.js";

const pod: Pod = { metadata: { name: "web-1", namespace: "shop", uid: "abc-123" }, spec: { containers: [] } };

describe("container labels", () => {
  it("round-trip the identity a restarted agent needs", () => {
    const labels = containerLabels({
      nodeName: "node-a",
      pod,
      role: "app",
      containerName: "web",
      attempt: 4,
      backoffStep: 3,
      image: "nginx:1.27",
      gracePeriodSeconds: 30,
      specHash: "h1",
      sandboxId: "infra-id",
    });
    expect(labels["io.kubeflare.node"]).toBe("node-a");
    expect(parseContainerLabels(labels)).toEqual({
      role: "app",
      podUid: "abc-123",
      podNamespace: "shop",
      podName: "web-1",
      containerName: "web",
      attempt: 4,
      backoffStep: 3,
      image: "nginx:1.27",
      gracePeriodSeconds: 30,
      specHash: "h1",
      sandboxId: "infra-id",
    });
  });

  it("ignores containers without our labels", () => {
    expect(parseContainerLabels({ maintainer: "someone" })).toBeUndefined();
    expect(parseContainerLabels(null)).toBeUndefined();
  });

  it("names containers like dockershim and filters by node", () => {
    expect(dockerContainerName(pod, "POD", 0)).toBe("k8s_POD_web-1_shop_abc-123_0");
    expect(nodeLabelFilter("node-a")).toBe("io.kubeflare.node=node-a");
  });
});
