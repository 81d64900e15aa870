/**
 * Kinds that only appear as subresource bodies (`deployments/scale`,
 * `pods/eviction`, `pods/binding`). They are not stored, so the registry has
 * no entry for them, but the OpenAPI documents must describe them: kubectl
 * checks the `scale` PATCH operation's GVK like any other.
 */
import { z, type ZodType } from "zod";
import { DeleteOptions, ObjectMeta } from "../../schema/meta.js";
import { ObjectReference } from "../../schema/core.js";

export const Scale = z
  .looseObject({
    apiVersion: z.literal("autoscaling/v1").optional(),
    kind: z.literal("Scale").optional(),
    metadata: ObjectMeta.optional(),
    spec: z
      .looseObject({ replicas: z.number().int().optional().describe("Desired number of instances.") })
      .optional(),
    status: z
      .looseObject({
        replicas: z.number().int().describe("Actual number of observed instances."),
        selector: z.string().optional().describe("Label query over pods, in label-selector string form."),
      })
      .optional(),
  })
  .describe("Scale represents a scaling request for a resource.");

export const Eviction = z
  .looseObject({
    apiVersion: z.literal("policy/v1").optional(),
    kind: z.literal("Eviction").optional(),
    metadata: ObjectMeta.optional(),
    deleteOptions: DeleteOptions.optional(),
  })
  .describe("Eviction evicts a pod from its node subject to certain policies and safety constraints.");

export const Binding = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Binding").optional(),
    metadata: ObjectMeta.optional(),
    target: ObjectReference.describe("The target object that you want to bind to the standard object."),
  })
  .describe("Binding ties one object to another; for example, a pod is bound to a node by a scheduler.");

export interface SubresourceKind {
  group: string;
  version: string;
  kind: string;
  schema: ZodType;
}

export const subresourceKinds: SubresourceKind[] = [
  { group: "autoscaling", version: "v1", kind: "Scale", schema: Scale },
  { group: "policy", version: "v1", kind: "Eviction", schema: Eviction },
  { group: "", version: "v1", kind: "Binding", schema: Binding },
];
