/**
 * k8s.io/api/core/v1 top-level kinds and their small helpers: Namespace,
 * ConfigMap, Secret, ServiceAccount, Service, ResourceQuota, Pod. The pod
 * spec tree lives in core-pod.ts, core-container.ts and core-volume.ts.
 */
import { bool, int32, intOrString, keepZero, list, mapOf, msg, str, time, type MessageTable } from "../fields.js";

export const core: Record<string, MessageTable> = {
  "core.ObjectReference": {
    1: str("kind"),
    2: str("namespace"),
    3: str("name"),
    4: str("uid"),
    5: str("apiVersion"),
    6: str("resourceVersion"),
    7: str("fieldPath"),
  },
  "core.LocalObjectReference": { 1: str("name") },
  "core.TypedLocalObjectReference": { 1: keepZero(str("apiGroup")), 2: str("kind"), 3: str("name") },
  "core.TypedObjectReference": {
    1: keepZero(str("apiGroup")),
    2: str("kind"),
    3: str("name"),
    4: keepZero(str("namespace")),
  },

  "core.Namespace": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "core.NamespaceSpec"),
    3: msg("status", "core.NamespaceStatus"),
  },
  "core.NamespaceSpec": { 1: list(str("finalizers")) },
  "core.NamespaceStatus": { 1: str("phase"), 2: list(msg("conditions", "core.NamespaceCondition")) },
  "core.NamespaceCondition": {
    1: str("type"),
    2: str("status"),
    4: time("lastTransitionTime"),
    5: str("reason"),
    6: str("message"),
  },

  "core.ConfigMap": {
    1: msg("metadata", "meta.ObjectMeta"),
    4: keepZero(bool("immutable")),
    2: mapOf("data", "string"),
    3: mapOf("binaryData", "bytes"),
  },
  // Secret values travel as raw bytes; JSON carries them base64-encoded.
  "core.Secret": {
    1: msg("metadata", "meta.ObjectMeta"),
    5: keepZero(bool("immutable")),
    2: mapOf("data", "bytes"),
    4: mapOf("stringData", "string"),
    3: str("type"),
  },
  "core.ServiceAccount": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: list(msg("secrets", "core.ObjectReference")),
    3: list(msg("imagePullSecrets", "core.LocalObjectReference")),
    4: keepZero(bool("automountServiceAccountToken")),
  },

  "core.Service": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "core.ServiceSpec"),
    3: msg("status", "core.ServiceStatus"),
  },
  "core.ServiceSpec": {
    1: list(msg("ports", "core.ServicePort")),
    2: mapOf("selector", "string"),
    3: str("clusterIP"),
    18: list(str("clusterIPs")),
    4: str("type"),
    5: list(str("externalIPs")),
    7: str("sessionAffinity"),
    8: str("loadBalancerIP"),
    9: list(str("loadBalancerSourceRanges")),
    10: str("externalName"),
    11: str("externalTrafficPolicy"),
    12: int32("healthCheckNodePort"),
    13: bool("publishNotReadyAddresses"),
    14: msg("sessionAffinityConfig", "core.SessionAffinityConfig"),
    19: list(str("ipFamilies")),
    17: keepZero(str("ipFamilyPolicy")),
    20: keepZero(bool("allocateLoadBalancerNodePorts")),
    21: keepZero(str("loadBalancerClass")),
    22: keepZero(str("internalTrafficPolicy")),
    23: keepZero(str("trafficDistribution")),
  },
  // targetPort is a Go value, not a pointer: an unset one arrives as the int 0,
  // exactly as Go's JSON would write it; defaulting maps 0 to `port`.
  "core.ServicePort": {
    1: str("name"),
    2: str("protocol"),
    6: keepZero(str("appProtocol")),
    3: int32("port"),
    4: intOrString("targetPort"),
    5: int32("nodePort"),
  },
  "core.SessionAffinityConfig": { 1: msg("clientIP", "core.ClientIPConfig") },
  "core.ClientIPConfig": { 1: keepZero(int32("timeoutSeconds")) },
  "core.ServiceStatus": {
    1: msg("loadBalancer", "core.LoadBalancerStatus"),
    2: list(msg("conditions", "meta.Condition")),
  },
  "core.LoadBalancerStatus": { 1: list(msg("ingress", "core.LoadBalancerIngress")) },
  "core.LoadBalancerIngress": {
    1: str("ip"),
    2: str("hostname"),
    3: keepZero(str("ipMode")),
    4: list(msg("ports", "core.PortStatus")),
  },
  "core.PortStatus": { 1: int32("port"), 2: str("protocol"), 3: keepZero(str("error")) },

  "core.ResourceQuota": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "core.ResourceQuotaSpec"),
    3: msg("status", "core.ResourceQuotaStatus"),
  },
  "core.ResourceQuotaSpec": {
    1: mapOf("hard", "quantity"),
    2: list(str("scopes")),
    3: msg("scopeSelector", "core.ScopeSelector"),
  },
  "core.ScopeSelector": { 1: list(msg("matchExpressions", "core.ScopedResourceSelectorRequirement")) },
  "core.ScopedResourceSelectorRequirement": { 1: str("scopeName"), 2: str("operator"), 3: list(str("values")) },
  "core.ResourceQuotaStatus": { 1: mapOf("hard", "quantity"), 2: mapOf("used", "quantity") },

  "core.Pod": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "core.PodSpec"),
    3: msg("status", "core.PodStatus"),
  },
  "core.PodTemplateSpec": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "core.PodSpec"),
  },
};
