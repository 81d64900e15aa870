/** batch/v1 kinds. */
import { z } from "zod";
import { Condition, LabelSelector, ObjectMeta, opaqueObject } from "./meta.js";
import { ObjectReference, PodTemplateSpec } from "./core.js";

export const JobSpec = z.looseObject({
  parallelism: z.number().int().optional(),
  completions: z.number().int().nullable().optional(),
  activeDeadlineSeconds: z.number().int().optional(),
  backoffLimit: z.number().int().optional(),
  ttlSecondsAfterFinished: z.number().int().optional(),
  completionMode: z.enum(["NonIndexed", "Indexed"]).optional(),
  suspend: z.boolean().optional(),
  manualSelector: z.boolean().optional(),
  selector: LabelSelector.optional(),
  template: PodTemplateSpec,
  podFailurePolicy: opaqueObject().optional(),
});

export const Job = z
  .looseObject({
    apiVersion: z.literal("batch/v1").optional(),
    kind: z.literal("Job").optional(),
    metadata: ObjectMeta,
    spec: JobSpec,
    status: z
      .looseObject({
        active: z.number().int().optional(),
        succeeded: z.number().int().optional(),
        failed: z.number().int().optional(),
        ready: z.number().int().optional(),
        startTime: z.string().nullable().optional(),
        completionTime: z.string().nullable().optional(),
        conditions: z.array(Condition).optional(),
        observedGeneration: z.number().int().optional(),
      })
      .optional(),
  })
  .describe("Job represents the configuration of a single job.");
export type Job = z.infer<typeof Job>;

export const CronJob = z
  .looseObject({
    apiVersion: z.literal("batch/v1").optional(),
    kind: z.literal("CronJob").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({
      schedule: z.string().describe("The schedule in Cron format."),
      timeZone: z.string().optional(),
      startingDeadlineSeconds: z.number().int().optional(),
      concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"]).optional(),
      suspend: z.boolean().optional(),
      successfulJobsHistoryLimit: z.number().int().optional(),
      failedJobsHistoryLimit: z.number().int().optional(),
      jobTemplate: z.looseObject({ metadata: ObjectMeta.optional(), spec: JobSpec }),
    }),
    status: z
      .looseObject({
        active: z.array(ObjectReference).optional(),
        lastScheduleTime: z.string().nullable().optional(),
        lastSuccessfulTime: z.string().nullable().optional(),
      })
      .optional(),
  })
  .describe("CronJob represents the configuration of a single cron job.");
export type CronJob = z.infer<typeof CronJob>;
