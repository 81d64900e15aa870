import { describe, expect, it } from "vitest";
import type { DockerClient } from "./client.js";
import { ImagePuller, PullProgressSummary } from "./image-puller.js";

describe("PullProgressSummary", () => {
  it("sums downloading layers", () => {
    const summary = new PullProgressSummary();
    expect(summary.describe()).toBeUndefined();
    summary.add({ status: "Downloading", id: "a", progressDetail: { current: 1_000_000, total: 4_000_000 } });
    summary.add({ status: "Downloading", id: "b", progressDetail: { current: 500_000, total: 1_000_000 } });
    summary.add({ status: "Downloading", id: "a", progressDetail: { current: 2_000_000, total: 4_000_000 } });
    summary.add({ status: "Pull complete", id: "c" });
    expect(summary.describe()).toBe("2.5MB of 5.0MB");
  });
});

/** A Docker stand-in with only the calls ImagePuller makes (no container is run here). */
function dockerWith(present: Set<string>, pullFails = false) {
  const pulls: string[] = [];
  const docker = {
    inspectImage: async (name: string) => (present.has(name) ? { Id: "sha256:1" } : undefined),
    pullImage: async (fromImage: string, tag: string | undefined) => {
      pulls.push(`${fromImage}:${tag}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (pullFails) throw new Error("manifest unknown");
      present.add(`${fromImage}:${tag}`);
    },
  } as unknown as DockerClient;
  return { docker, pulls };
}

const reporter = () => {
  const messages: string[] = [];
  return { messages, pulling: (m: string) => messages.push(m), progress: (m: string) => messages.push(m), pulled: (m: string) => messages.push(m) };
};

describe("ImagePuller", () => {
  it("skips the pull for IfNotPresent when the image is there", async () => {
    const { docker, pulls } = dockerWith(new Set(["app:1"]));
    const r = reporter();
    await new ImagePuller(docker).ensure("app:1", "IfNotPresent", r);
    expect(pulls).toEqual([]);
    expect(r.messages).toEqual(['Container image "app:1" already present on machine']);
  });

  it("pulls with Always and shares one pull between concurrent callers", async () => {
    const { docker, pulls } = dockerWith(new Set(["app:1"]));
    const puller = new ImagePuller(docker);
    await Promise.all([puller.ensure("app:1", "Always", reporter()), puller.ensure("app:1", "Always", reporter())]);
    expect(pulls).toEqual(["app:1"]);
  });

  it("fails with ErrImageNeverPull or ErrImagePull", async () => {
    const never = new ImagePuller(dockerWith(new Set()).docker);
    await expect(never.ensure("app:1", "Never", reporter())).rejects.toMatchObject({
      reason: "ErrImageNeverPull",
      message: 'Container image "app:1" is not present with pull policy of Never',
    });
    const failing = new ImagePuller(dockerWith(new Set(), true).docker);
    await expect(failing.ensure("app:1", "IfNotPresent", reporter())).rejects.toMatchObject({
      reason: "ErrImagePull",
      message: 'Failed to pull image "app:1": manifest unknown',
    });
  });
});
