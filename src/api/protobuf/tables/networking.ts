/** k8s.io/api/networking/v1: Ingress (generated.proto). */
import { inline, int32, keepZero, list, msg, str, type MessageTable } from "../fields.js";

export const networking: Record<string, MessageTable> = {
  "networking.Ingress": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "networking.IngressSpec"),
    3: msg("status", "networking.IngressStatus"),
  },
  "networking.IngressSpec": {
    4: keepZero(str("ingressClassName")),
    1: msg("defaultBackend", "networking.IngressBackend"),
    2: list(msg("tls", "networking.IngressTLS")),
    3: list(msg("rules", "networking.IngressRule")),
  },
  "networking.IngressBackend": {
    4: msg("service", "networking.IngressServiceBackend"),
    3: msg("resource", "core.TypedLocalObjectReference"),
  },
  "networking.IngressServiceBackend": { 1: str("name"), 2: msg("port", "networking.ServiceBackendPort") },
  "networking.ServiceBackendPort": { 1: str("name"), 2: int32("number") },
  "networking.IngressTLS": { 1: list(str("hosts")), 2: str("secretName") },
  // IngressRule embeds IngressRuleValue: `http` sits beside `host` in JSON.
  "networking.IngressRule": { 1: str("host"), 2: inline("networking.IngressRuleValue") },
  "networking.IngressRuleValue": { 1: msg("http", "networking.HTTPIngressRuleValue") },
  "networking.HTTPIngressRuleValue": { 1: list(msg("paths", "networking.HTTPIngressPath")) },
  "networking.HTTPIngressPath": {
    1: str("path"),
    3: keepZero(str("pathType")),
    2: msg("backend", "networking.IngressBackend"),
  },
  "networking.IngressStatus": { 1: msg("loadBalancer", "networking.IngressLoadBalancerStatus") },
  "networking.IngressLoadBalancerStatus": { 1: list(msg("ingress", "networking.IngressLoadBalancerIngress")) },
  "networking.IngressLoadBalancerIngress": {
    1: str("ip"),
    2: str("hostname"),
    4: list(msg("ports", "networking.IngressPortStatus")),
  },
  "networking.IngressPortStatus": { 1: int32("port"), 2: str("protocol"), 3: keepZero(str("error")) },
};
