/** k8s.io/api/apps/v1: Deployment and ReplicaSet (generated.proto). */
import { bool, int32, int64, intOrString, keepZero, list, msg, str, time, type MessageTable } from "../fields.js";

export const apps: Record<string, MessageTable> = {
  "apps.Deployment": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "apps.DeploymentSpec"),
    3: msg("status", "apps.DeploymentStatus"),
  },
  "apps.DeploymentSpec": {
    1: keepZero(int32("replicas")),
    2: msg("selector", "meta.LabelSelector"),
    3: msg("template", "core.PodTemplateSpec"),
    4: msg("strategy", "apps.DeploymentStrategy"),
    5: int32("minReadySeconds"),
    6: keepZero(int32("revisionHistoryLimit")),
    7: bool("paused"),
    9: keepZero(int32("progressDeadlineSeconds")),
    10: keepZero(str("podReplacementPolicy")),
  },
  "apps.DeploymentStrategy": { 1: str("type"), 2: msg("rollingUpdate", "apps.RollingUpdateDeployment") },
  "apps.RollingUpdateDeployment": { 1: intOrString("maxUnavailable"), 2: intOrString("maxSurge") },
  "apps.DeploymentStatus": {
    1: int64("observedGeneration"),
    2: int32("replicas"),
    3: int32("updatedReplicas"),
    7: int32("readyReplicas"),
    4: int32("availableReplicas"),
    5: int32("unavailableReplicas"),
    9: keepZero(int32("terminatingReplicas")),
    6: list(msg("conditions", "apps.DeploymentCondition")),
    8: keepZero(int32("collisionCount")),
  },
  "apps.DeploymentCondition": {
    1: str("type"),
    2: str("status"),
    6: time("lastUpdateTime"),
    7: time("lastTransitionTime"),
    4: str("reason"),
    5: str("message"),
  },

  "apps.ReplicaSet": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "apps.ReplicaSetSpec"),
    3: msg("status", "apps.ReplicaSetStatus"),
  },
  "apps.ReplicaSetSpec": {
    1: keepZero(int32("replicas")),
    4: int32("minReadySeconds"),
    2: msg("selector", "meta.LabelSelector"),
    3: msg("template", "core.PodTemplateSpec"),
  },
  // replicas has no omitempty in Go, so 0 is written.
  "apps.ReplicaSetStatus": {
    1: keepZero(int32("replicas")),
    2: int32("fullyLabeledReplicas"),
    4: int32("readyReplicas"),
    5: int32("availableReplicas"),
    7: keepZero(int32("terminatingReplicas")),
    3: int64("observedGeneration"),
    6: list(msg("conditions", "apps.ReplicaSetCondition")),
  },
  "apps.ReplicaSetCondition": {
    1: str("type"),
    2: str("status"),
    3: time("lastTransitionTime"),
    4: str("reason"),
    5: str("message"),
  },
};
