/** Server-side Table output for `kubectl get`. */
export {
  type IncludeObjectPolicy,
  type Table,
  type TableOptions,
  type TableRow,
  columnDefinitionsFor,
  toTable,
} from "./table.js";
export { type TableColumnDefinition, type TableRowCondition } from "./types.js";
export { humanDuration, since } from "./duration.js";
export { podStatusSummary } from "./pod.js";
