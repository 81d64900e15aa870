/**
 * k8s.io/apimachinery/pkg/apis/meta/v1 messages (generated.proto).
 * Every kind's `metadata` and the DeleteOptions body of DELETE requests.
 */
import { bool, int64, keepZero, list, mapOf, msg, rawJSON, str, time, type MessageTable } from "../fields.js";

export const meta: Record<string, MessageTable> = {
  "meta.ObjectMeta": {
    1: str("name"),
    2: str("generateName"),
    3: str("namespace"),
    4: str("selfLink"),
    5: str("uid"),
    6: str("resourceVersion"),
    7: int64("generation"),
    8: time("creationTimestamp"),
    9: time("deletionTimestamp"),
    10: keepZero(int64("deletionGracePeriodSeconds")),
    11: mapOf("labels", "string"),
    12: mapOf("annotations", "string"),
    13: list(msg("ownerReferences", "meta.OwnerReference")),
    14: list(str("finalizers")),
    17: list(msg("managedFields", "meta.ManagedFieldsEntry")),
  },
  "meta.OwnerReference": {
    5: str("apiVersion"),
    1: str("kind"),
    3: str("name"),
    4: str("uid"),
    6: keepZero(bool("controller")),
    7: keepZero(bool("blockOwnerDeletion")),
  },
  "meta.ManagedFieldsEntry": {
    1: str("manager"),
    2: str("operation"),
    3: str("apiVersion"),
    4: time("time"),
    6: str("fieldsType"),
    7: rawJSON("fieldsV1"),
    8: str("subresource"),
  },
  "meta.LabelSelector": {
    1: mapOf("matchLabels", "string"),
    2: list(msg("matchExpressions", "meta.LabelSelectorRequirement")),
  },
  "meta.LabelSelectorRequirement": {
    1: str("key"),
    2: str("operator"),
    3: list(str("values")),
  },
  "meta.Condition": {
    1: str("type"),
    2: str("status"),
    3: int64("observedGeneration"),
    4: time("lastTransitionTime"),
    5: str("reason"),
    6: str("message"),
  },
  "meta.DeleteOptions": {
    1: keepZero(int64("gracePeriodSeconds")),
    2: msg("preconditions", "meta.Preconditions"),
    3: keepZero(bool("orphanDependents")),
    4: keepZero(str("propagationPolicy")),
    5: list(str("dryRun")),
    6: keepZero(bool("ignoreStoreReadErrorWithClusterBreakingPotential")),
  },
  "meta.Preconditions": {
    1: keepZero(str("uid")),
    2: keepZero(str("resourceVersion")),
  },
};
