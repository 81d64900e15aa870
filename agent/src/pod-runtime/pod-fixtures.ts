/** The pod and the observed containers the pod-runtime tests build theirs from. */
import type { Pod } from "../../../src/schema/core.js";
import type { ObservedContainer } from "./types.js";

/** Pod default/web (uid-1) with one container "app" of image img:1. */
export function testPod(spec: Partial<Pod["spec"]> = {}, metadata: Partial<Pod["metadata"]> = {}): Pod {
  return {
    metadata: { name: "web", namespace: "default", uid: "uid-1", ...metadata },
    spec: { containers: [{ name: "app", image: "img:1" }], ...spec },
  };
}

/** A running first instance of a container of testPod(); the caller picks its id, times and image id. */
export function observedContainer(
  role: ObservedContainer["role"],
  containerName: string,
  fields: Partial<ObservedContainer> & Pick<ObservedContainer, "id" | "createdAt" | "imageId">,
): ObservedContainer {
  return {
    role,
    podUid: "uid-1",
    podNamespace: "default",
    podName: "web",
    containerName,
    attempt: 0,
    backoffStep: 0,
    state: "running",
    oomKilled: false,
    image: "img:1",
    tty: false,
    ...fields,
  };
}
