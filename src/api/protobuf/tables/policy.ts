/** k8s.io/api/policy/v1: the Eviction body of `kubectl drain` (generated.proto). */
import { msg, type MessageTable } from "../fields.js";

export const policy: Record<string, MessageTable> = {
  "policy.Eviction": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("deleteOptions", "meta.DeleteOptions"),
  },
};
