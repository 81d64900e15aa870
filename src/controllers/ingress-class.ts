/**
 * kubeflare's own IngressClass: created by the cluster store at bootstrap,
 * marked default so Ingresses without a class are ours, as upstream's
 * DefaultIngressClass admission assigns the default class on create.
 */
import type { IngressClass } from "../schema/networking.js";
import type { KubeObject } from "../schema/meta.js";

export const INGRESS_CLASS_NAME = "kubeflare";
export const INGRESS_CONTROLLER = "kubeflare.io/ingress";
export const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
/** The class annotation that predates spec.ingressClassName; still honoured, as controllers do. */
export const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

export function defaultIngressClass(): IngressClass {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: INGRESS_CLASS_NAME, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    spec: { controller: INGRESS_CONTROLLER },
  };
}

/** The class a new Ingress without one gets: the newest class marked default, if any. */
export function pickDefaultClass(classes: readonly KubeObject[]): string | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true" && !c.metadata.deletionTimestamp);
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  return defaults[0]?.metadata.name;
}

/** The class an Ingress asks for: spec.ingressClassName, else the legacy annotation. */
export function ingressClassOf(ing: KubeObject): string | undefined {
  return ing.spec?.ingressClassName || ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] || undefined;
}
