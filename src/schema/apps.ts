/** apps/v1 kinds. */
import { z } from "zod";
import { Condition, IntOrString, LabelSelector, ObjectMeta } from "./meta.js";
import { PodTemplateSpec } from "./core.js";

const ReplicaSetStatus = z.looseObject({
  replicas: z.number().int().optional(),
  fullyLabeledReplicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  availableReplicas: z.number().int().optional(),
  observedGeneration: z.number().int().optional(),
  conditions: z.array(Condition).optional(),
});

export const ReplicaSet = z
  .looseObject({
    apiVersion: z.literal("apps/v1").optional(),
    kind: z.literal("ReplicaSet").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({
      replicas: z.number().int().optional(),
      minReadySeconds: z.number().int().optional(),
      selector: LabelSelector,
      template: PodTemplateSpec.optional(),
    }),
    status: ReplicaSetStatus.optional(),
  })
  .describe("ReplicaSet ensures that a specified number of pod replicas are running at any given time.");
export type ReplicaSet = z.infer<typeof ReplicaSet>;

export const DeploymentStrategy = z.looseObject({
  type: z.enum(["RollingUpdate", "Recreate"]).optional(),
  rollingUpdate: z
    .looseObject({ maxSurge: IntOrString.optional(), maxUnavailable: IntOrString.optional() })
    .optional(),
});

export const Deployment = z
  .looseObject({
    apiVersion: z.literal("apps/v1").optional(),
    kind: z.literal("Deployment").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({
      replicas: z.number().int().optional().describe("Number of desired pods. Defaults to 1."),
      selector: LabelSelector.describe("Label selector for pods; must match the template's labels."),
      template: PodTemplateSpec.describe("Template describes the pods that will be created."),
      strategy: DeploymentStrategy.optional(),
      minReadySeconds: z.number().int().optional(),
      revisionHistoryLimit: z.number().int().optional(),
      paused: z.boolean().optional(),
      progressDeadlineSeconds: z.number().int().optional(),
    }),
    status: z
      .looseObject({
        observedGeneration: z.number().int().optional(),
        replicas: z.number().int().optional(),
        updatedReplicas: z.number().int().optional(),
        readyReplicas: z.number().int().optional(),
        availableReplicas: z.number().int().optional(),
        unavailableReplicas: z.number().int().optional(),
        conditions: z.array(Condition).optional(),
        collisionCount: z.number().int().optional(),
      })
      .optional(),
  })
  .describe("Deployment enables declarative updates for Pods and ReplicaSets.");
export type Deployment = z.infer<typeof Deployment>;

export const DaemonSet = z
  .looseObject({
    apiVersion: z.literal("apps/v1").optional(),
    kind: z.literal("DaemonSet").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({
      selector: LabelSelector,
      template: PodTemplateSpec,
      updateStrategy: z
        .looseObject({
          type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
          rollingUpdate: z
            .looseObject({ maxSurge: IntOrString.optional(), maxUnavailable: IntOrString.optional() })
            .optional(),
        })
        .optional(),
      minReadySeconds: z.number().int().optional(),
      revisionHistoryLimit: z.number().int().optional(),
    }),
    status: z
      .looseObject({
        currentNumberScheduled: z.number().int().optional(),
        numberMisscheduled: z.number().int().optional(),
        desiredNumberScheduled: z.number().int().optional(),
        numberReady: z.number().int().optional(),
        observedGeneration: z.number().int().optional(),
        updatedNumberScheduled: z.number().int().optional(),
        numberAvailable: z.number().int().optional(),
        numberUnavailable: z.number().int().optional(),
        conditions: z.array(Condition).optional(),
      })
      .optional(),
  })
  .describe("DaemonSet runs a copy of a pod on every eligible node.");
export type DaemonSet = z.infer<typeof DaemonSet>;
