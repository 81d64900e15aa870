import { describe, expect, it } from "vitest";
import { defaultPullPolicy, imageIdFor, parseImageReference, pullArguments } from "./image-reference.js";

describe("image references", () => {
  it("splits repository, tag and digest, minding registry ports", () => {
    expect(parseImageReference("nginx")).toEqual({ repository: "nginx", tag: undefined, digest: undefined });
    expect(parseImageReference("nginx:1.27")).toMatchObject({ repository: "nginx", tag: "1.27" });
    expect(parseImageReference("localhost:5000/app")).toMatchObject({ repository: "localhost:5000/app", tag: undefined });
    expect(parseImageReference("localhost:5000/app:v2@sha256:abc")).toEqual({
      repository: "localhost:5000/app",
      tag: "v2",
      digest: "sha256:abc",
    });
  });

  it("defaults the pull policy like the API server", () => {
    expect(defaultPullPolicy("nginx")).toBe("Always");
    expect(defaultPullPolicy("nginx:latest")).toBe("Always");
    expect(defaultPullPolicy("nginx:1.27")).toBe("IfNotPresent");
    expect(defaultPullPolicy("nginx@sha256:abc")).toBe("IfNotPresent");
  });

  it("builds pull arguments", () => {
    expect(pullArguments("busybox")).toEqual({ fromImage: "busybox", tag: "latest" });
    expect(pullArguments("ghcr.io/x/y:1")).toEqual({ fromImage: "ghcr.io/x/y", tag: "1" });
    expect(pullArguments("y@sha256:abc")).toEqual({ fromImage: "y@sha256:abc" });
  });

  it("reports imageID as docker-pullable when a digest is known", () => {
    expect(imageIdFor({ Id: "sha256:1", RepoDigests: ["nginx@sha256:2"] }, "")).toBe("docker-pullable://nginx@sha256:2");
    expect(imageIdFor({ Id: "sha256:1", RepoDigests: [] }, "")).toBe("docker://sha256:1");
    expect(imageIdFor(undefined, "sha256:9")).toBe("docker://sha256:9");
  });
});
