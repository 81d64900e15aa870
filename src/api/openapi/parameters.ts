/**
 * Query and path parameters of the resource operations, worded as the API
 * server documents them. kubectl reads exactly one of them: it sends
 * `fieldValidation=Strict` only when the kind's PATCH operation declares
 * `fieldValidation`, and otherwise refuses `apply` (kubectl-wire §0.6).
 */
import type { JsonSchema } from "./components.js";

const query = (name: string, description: string, type = "string"): JsonSchema => ({
  name,
  in: "query",
  description,
  schema: { type, uniqueItems: true },
});

const path = (name: string, description: string): JsonSchema => ({
  name,
  in: "path",
  description,
  required: true,
  schema: { type: "string", uniqueItems: true },
});

export const nameParam = (kind: string) => path("name", `name of the ${kind}`);
export const namespaceParam = path("namespace", "object name and auth scope, such as for teams and projects");
export const prettyParam = query("pretty", "If 'true', then the output is pretty printed.");

const dryRun = query(
  "dryRun",
  "When present, indicates that modifications should not be persisted. Valid values are: All (all dry run stages will be processed).",
);
const fieldManager = query(
  "fieldManager",
  "fieldManager is a name associated with the actor or entity that is making these changes.",
);
const fieldValidation = query(
  "fieldValidation",
  "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict (fail the request with BadRequest on unknown fields).",
);
const force = query(
  "force",
  "Force is going to \"force\" Apply requests: re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests.",
  "boolean",
);

/** POST and PUT. */
export const writeParams = [dryRun, fieldManager, fieldValidation];
/** PATCH: `fieldValidation` here is what makes kubectl trust the server with validation. */
export const patchParams = [dryRun, fieldManager, fieldValidation, force];

export const deleteParams = [
  dryRun,
  query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer"),
  query("orphanDependents", "Deprecated: use propagationPolicy.", "boolean"),
  query("propagationPolicy", "Whether and how garbage collection will be performed: Orphan, Background or Foreground."),
];

export const listParams = [
  query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", "boolean"),
  query("continue", "The continue option should be set when retrieving more results from the server."),
  query("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
  query("labelSelector", "A selector to restrict the list of returned objects by their labels."),
  query("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
  query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
  query("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", "boolean"),
];

export const logParams = [
  query("container", "The container for which to stream logs. Defaults to only container if there is one container in the pod."),
  query("follow", "Follow the log stream of the pod.", "boolean"),
  query("limitBytes", "If set, the number of bytes to read from the server before terminating the log output.", "integer"),
  query("previous", "Return previous terminated container logs.", "boolean"),
  query("sinceSeconds", "A relative time in seconds before the current time from which to show logs.", "integer"),
  query("tailLines", "If set, the number of lines from the end of the logs to show.", "integer"),
  query("timestamps", "If true, add an RFC3339 timestamp at the beginning of every line of log output.", "boolean"),
];
