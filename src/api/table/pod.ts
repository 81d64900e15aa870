/**
 * The Pod row, computed as upstream's `printPod` does: the Status column is
 * not `status.phase` but a summary of init containers, container waiting and
 * terminated reasons, readiness and deletion (`Init:0/1`, `CrashLoopBackOff`,
 * `Completed`, `Terminating`...), and Restarts says when the last one was.
 */
import type { Pod } from "../../schema/core.js";
import type { KubeObject } from "../../schema/meta.js";
import { parseTime, since, humanDuration } from "./duration.js";
import { type PrintedRow, type Printer, type TableRowCondition, ageColumn, column, nameColumn } from "./types.js";

type ContainerStatus = NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number];

const podSucceeded: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
];
const podFailed: TableRowCondition[] = [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];

/** The reason the node lifecycle controller sets on pods of an unreachable node. */
const nodeUnreachablePodReason = "NodeLost";

const hasCondition = (pod: Pod, type: string) =>
  (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");

/** Only the first condition of the type counts, as in isPodInitializedConditionTrue. */
const isInitialized = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === "Initialized")?.status === "True";

/** A sidecar: an init container with restartPolicy Always. */
const isRestartable = (c: { restartPolicy?: string } | undefined) => c?.restartPolicy === "Always";

const finishedAt = (s: ContainerStatus) =>
  s.lastState?.terminated ? (parseTime(s.lastState.terminated.finishedAt) ?? 0) : undefined;

export function podStatusSummary(pod: Pod, now: number): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const phase = status.phase ?? "";
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) {
    reason = "SchedulingGated";
  }

  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  let readyContainers = 0;
  let totalContainers = spec.containers.length;

  const initContainers = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  for (const c of spec.initContainers ?? []) if (isRestartable(c)) totalContainers++;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    const finished = finishedAt(cs);
    if (finished !== undefined && lastRestart < finished) lastRestart = finished;
    const restartable = isRestartable(initContainers.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      if (finished !== undefined && lastRestartableInitRestart < finished) lastRestartableInitRestart = finished;
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitialized(pod)) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Upstream walks backwards, so the first container's reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      const finished = finishedAt(cs);
      if (finished !== undefined && lastRestart < finished) lastRestart = finished;
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (cs.ready && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose main container finished while a sidecar still runs.
    if (reason === "Completed" && hasRunning) reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata.deletionTimestamp && status.reason === nodeUnreachablePodReason) {
    reason = "Unknown";
  } else if (pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating";
  }

  const restartsCell = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : `${restarts}`;
  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts: restartsCell };
}

function readinessGates(pod: Pod): string {
  const gates = (pod.spec.readinessGates ?? []) as { conditionType?: string }[];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const passing = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === "True").length;
  return `${passing}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    ageColumn(),
    column("IP", "string", "IP address allocated to the pod. Routable at least within the cluster.", { priority: 1 }),
    column("Node", "string", "NodeName indicates in which node this pod is scheduled.", { priority: 1 }),
    column("Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.", {
      priority: 1,
    }),
    column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", {
      priority: 1,
    }),
  ],
  print(obj: KubeObject, now: number): PrintedRow {
    const pod = obj as Pod;
    const { ready, reason, restarts } = podStatusSummary(pod, now);
    const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
    const row: PrintedRow = {
      cells: [
        pod.metadata.name,
        ready,
        reason,
        restarts,
        since(pod.metadata.creationTimestamp, now),
        podIP,
        pod.spec.nodeName || "<none>",
        pod.status?.nominatedNodeName || "<none>",
        readinessGates(pod),
      ],
    };
    if (pod.status?.phase === "Succeeded") row.conditions = podSucceeded;
    if (pod.status?.phase === "Failed") row.conditions = podFailed;
    return row;
  },
};
