/**
 * k8s.io/api/core/v1 PodStatus and container statuses: what a status
 * update would carry for a Pod.
 */
import { bool, int32, keepZero, list, mapOf, msg, str, time, type MessageTable } from "../fields.js";

export const coreStatus: Record<string, MessageTable> = {
  "core.PodStatus": {
    1: str("phase"),
    2: list(msg("conditions", "core.PodCondition")),
    3: str("message"),
    4: str("reason"),
    11: str("nominatedNodeName"),
    5: str("hostIP"),
    16: list(msg("hostIPs", "core.HostIP")),
    6: str("podIP"),
    12: list(msg("podIPs", "core.PodIP")),
    7: time("startTime"),
    10: list(msg("initContainerStatuses", "core.ContainerStatus")),
    8: list(msg("containerStatuses", "core.ContainerStatus")),
    9: str("qosClass"),
    13: list(msg("ephemeralContainerStatuses", "core.ContainerStatus")),
    14: str("resize"),
  },
  "core.PodCondition": {
    1: str("type"),
    2: str("status"),
    3: time("lastProbeTime"),
    4: time("lastTransitionTime"),
    5: str("reason"),
    6: str("message"),
  },
  "core.HostIP": { 1: str("ip") },
  "core.PodIP": { 1: str("ip") },
  // ready and restartCount have no omitempty in Go, so false and 0 are written.
  "core.ContainerStatus": {
    1: str("name"),
    2: msg("state", "core.ContainerState"),
    3: msg("lastState", "core.ContainerState"),
    4: keepZero(bool("ready")),
    5: keepZero(int32("restartCount")),
    6: str("image"),
    7: str("imageID"),
    8: str("containerID"),
    9: keepZero(bool("started")),
    10: mapOf("allocatedResources", "quantity"),
    11: msg("resources", "core.ResourceRequirements"),
  },
  "core.ContainerState": {
    1: msg("waiting", "core.ContainerStateWaiting"),
    2: msg("running", "core.ContainerStateRunning"),
    3: msg("terminated", "core.ContainerStateTerminated"),
  },
  "core.ContainerStateWaiting": { 1: str("reason"), 2: str("message") },
  "core.ContainerStateRunning": { 1: time("startedAt") },
  "core.ContainerStateTerminated": {
    1: keepZero(int32("exitCode")),
    2: int32("signal"),
    3: str("reason"),
    4: str("message"),
    5: time("startedAt"),
    6: time("finishedAt"),
    7: str("containerID"),
  },
};
