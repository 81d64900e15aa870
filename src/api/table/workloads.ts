/** Rows for the workload kinds: Deployment, ReplicaSet, DaemonSet, Job, CronJob. */
import type { DaemonSet, Deployment, ReplicaSet } from "../../schema/apps.js";
import type { CronJob, Job } from "../../schema/batch.js";
import type { KubeObject } from "../../schema/meta.js";
import { formatLabelSelector, formatLabels, labelSelectorToString } from "../selectors/labels.js";
import { humanDuration, parseTime, since } from "./duration.js";
import { type Printer, ageColumn, column, layoutContainerCells, nameColumn, templateColumns } from "./types.js";

const selectorDescription = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.";

/** Defaulting gives every Deployment and ReplicaSet a replica count; unset means 1. */
const desired = (replicas: number | undefined) => replicas ?? 1;

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Ready", "string", "Number of the pod with ready state"),
    column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    ageColumn(),
    ...templateColumns(selectorDescription),
  ],
  print(obj: KubeObject, now: number) {
    const d = obj as Deployment;
    const status = d.status ?? {};
    const [names, images] = layoutContainerCells(d.spec.template?.spec?.containers);
    let selector: string;
    try {
      // Upstream prints selector.String() here: "" rather than "<none>" for an empty selector.
      selector = labelSelectorToString(d.spec.selector);
    } catch {
      selector = "<invalid>";
    }
    return {
      cells: [
        d.metadata.name,
        `${status.readyReplicas ?? 0}/${desired(d.spec.replicas)}`,
        status.updatedReplicas ?? 0,
        status.availableReplicas ?? 0,
        since(d.metadata.creationTimestamp, now),
        names,
        images,
        selector,
      ],
    };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Desired", "integer", "Replicas is the number of desired replicas."),
    column("Current", "integer", "Replicas is the most recently observed number of replicas."),
    column("Ready", "integer", "The number of ready replicas for this replica set."),
    ageColumn(),
    ...templateColumns("Selector is a label query over pods that should match the replica count."),
  ],
  print(obj: KubeObject, now: number) {
    const rs = obj as ReplicaSet;
    const [names, images] = layoutContainerCells(rs.spec.template?.spec?.containers);
    return {
      cells: [
        rs.metadata.name,
        desired(rs.spec.replicas),
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        since(rs.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec.selector),
      ],
    };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
    column("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
    column("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
    column("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
    column("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
    column("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
    ageColumn(),
    ...templateColumns("A label query over pods that are managed by the daemon set."),
  ],
  print(obj: KubeObject, now: number) {
    const ds = obj as DaemonSet;
    const s = ds.status ?? {};
    const [names, images] = layoutContainerCells(ds.spec.template?.spec?.containers);
    return {
      cells: [
        ds.metadata.name,
        s.desiredNumberScheduled ?? 0,
        s.currentNumberScheduled ?? 0,
        s.numberReady ?? 0,
        s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0,
        formatLabels(ds.spec.template?.spec?.nodeSelector),
        since(ds.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec.selector),
      ],
    };
  },
};

/** The first condition of the type decides, as in upstream's hasJobCondition. */
const jobCondition = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type)?.status === "True";

export function jobStatus(job: Job): string {
  if (jobCondition(job, "Complete")) return "Complete";
  if (jobCondition(job, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (jobCondition(job, "Suspended")) return "Suspended";
  if (jobCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

/** `1/3`; without completions a work queue job shows `0/1 of 4` when parallel. */
export function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Running time so far, or start to completion; blank before the job starts. */
export function jobDuration(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return "";
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Status", "string", "Status of the job."),
    column("Completions", "string", "The number of pods which reached phase Succeeded."),
    column("Duration", "string", "Time required to complete the job."),
    ageColumn(),
    ...templateColumns("A label query over pods that should match the pod count."),
  ],
  print(obj: KubeObject, now: number) {
    const job = obj as Job;
    const [names, images] = layoutContainerCells(job.spec.template?.spec?.containers);
    return {
      cells: [
        job.metadata.name,
        jobStatus(job),
        jobCompletions(job),
        jobDuration(job, now),
        since(job.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(job.spec.selector),
      ],
    };
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column("Timezone", "string", "The time zone name for the given schedule."),
    column("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
    column("Active", "integer", "A list of pointers to currently running jobs."),
    column("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
    ageColumn(),
    ...templateColumns("A label query over pods that should match the pod count."),
  ],
  print(obj: KubeObject, now: number) {
    const cj = obj as CronJob;
    const suspend = cj.spec.suspend;
    const [names, images] = layoutContainerCells(cj.spec.jobTemplate.spec.template?.spec?.containers);
    return {
      cells: [
        cj.metadata.name,
        cj.spec.schedule,
        cj.spec.timeZone ?? "<none>",
        suspend === undefined ? "<unset>" : suspend ? "True" : "False",
        (cj.status?.active ?? []).length,
        cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : "<none>",
        since(cj.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(cj.spec.jobTemplate.spec.selector),
      ],
    };
  },
};
