/** The scheduler: pure filter/score/select over a per-node cache. */
export {
  type ScheduleOptions,
  type ScheduleResult,
  type FitResult,
  DefaultSchedulerName,
  fitsOnNode,
  needsScheduling,
  scheduleBatch,
  schedulePod,
} from "./schedule.js";
export {
  type NodeInfo,
  type NodeInfos,
  assumePod,
  buildNodeInfos,
  controllerUid,
  forgetPod,
  holdsNodeResources,
  podContribution,
  podKey,
} from "./node-info.js";
export { type PodRequests, nodeAllocatable, podRequests } from "./resources.js";
export { fitErrorMessage } from "./fit-error.js";
