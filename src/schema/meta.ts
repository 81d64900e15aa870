/**
 * meta.k8s.io/v1 shapes shared by every kind: ObjectMeta, ListMeta, Status,
 * conditions. Objects are `looseObject`s so fields we do not model are kept
 * and round-trip to clients, as Kubernetes clients expect; strict field
 * validation is a separate pass over the generated JSON schema.
 */
import { z } from "zod";

/** Marks a sub-object we accept as-is (Kubernetes' own extension name). */
export const preserveUnknown = { "x-kubernetes-preserve-unknown-fields": true } as const;

export const opaqueObject = () => z.record(z.string(), z.unknown()).meta(preserveUnknown);

export const IntOrString = z
  .union([z.number().int(), z.string()])
  .meta({ "x-kubernetes-int-or-string": true });

/** resource.Quantity: "100m", "128Mi", or a bare number. */
export const Quantity = z.union([z.string(), z.number()]);

export const StringMap = z.record(z.string(), z.string());

export const OwnerReference = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof OwnerReference>;

export const ManagedFieldsEntry = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: opaqueObject().optional(),
  subresource: z.string().optional(),
});

export const ObjectMeta = z
  .looseObject({
    name: z.string().optional().describe("Name must be unique within a namespace (DNS-1123)."),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional().describe("Opaque version; changes on every write."),
    generation: z.number().int().optional().describe("Bumped when the spec changes."),
    creationTimestamp: z.string().nullable().optional(),
    deletionTimestamp: z.string().nullable().optional(),
    deletionGracePeriodSeconds: z.number().int().nullable().optional(),
    labels: StringMap.nullable().optional(),
    annotations: StringMap.nullable().optional(),
    ownerReferences: z.array(OwnerReference).nullable().optional(),
    finalizers: z.array(z.string()).nullable().optional(),
    managedFields: z.array(ManagedFieldsEntry).nullable().optional(),
  })
  .describe("Standard object metadata.");
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const ListMeta = z.looseObject({
  resourceVersion: z.string().optional(),
  continue: z.string().optional(),
  remainingItemCount: z.number().int().optional(),
});

export const Condition = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().nullable().optional(),
  lastUpdateTime: z.string().nullable().optional(),
  lastProbeTime: z.string().nullable().optional(),
  lastHeartbeatTime: z.string().nullable().optional(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof Condition>;

export const LabelSelectorRequirement = z.looseObject({
  key: z.string(),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
  values: z.array(z.string()).optional(),
});

export const LabelSelector = z.looseObject({
  matchLabels: StringMap.optional(),
  matchExpressions: z.array(LabelSelectorRequirement).optional(),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

export const StatusCause = z.looseObject({
  reason: z.string().optional(),
  message: z.string().optional(),
  field: z.string().optional(),
});

export const Status = z.looseObject({
  apiVersion: z.literal("v1").optional(),
  kind: z.literal("Status").optional(),
  metadata: ListMeta.optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .looseObject({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      uid: z.string().optional(),
      causes: z.array(StatusCause).optional(),
      retryAfterSeconds: z.number().int().optional(),
    })
    .optional(),
  code: z.number().int().optional(),
});
export type Status = z.infer<typeof Status>;

export const DeleteOptions = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  gracePeriodSeconds: z.number().int().nullable().optional(),
  propagationPolicy: z.enum(["Orphan", "Background", "Foreground"]).nullable().optional(),
  orphanDependents: z.boolean().nullable().optional(),
  preconditions: z
    .looseObject({ uid: z.string().optional(), resourceVersion: z.string().optional() })
    .nullable()
    .optional(),
  dryRun: z.array(z.string()).nullable().optional(),
});
export type DeleteOptions = z.infer<typeof DeleteOptions>;

/** The envelope every stored object has. */
export const KubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMeta,
});
export type KubeObject = z.infer<typeof KubeObject> & {
  spec?: any;
  status?: any;
  [k: string]: unknown;
};
