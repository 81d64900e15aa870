/**
 * Which Ingresses this agent's Ingress proxy serves, by the rules ingress
 * controllers follow: an Ingress names its class (spec.ingressClassName, or
 * the older kubernetes.io/ingress.class annotation) and is served when that
 * IngressClass's spec.controller is ours; an Ingress naming no class is
 * served when the default class (ingressclass.kubernetes.io/is-default-class)
 * is ours, or when no default class exists at all — a fresh cluster with no
 * IngressClass objects still routes, as k3s does out of the box.
 */
import type { Ingress, IngressClass } from "../../../src/schema/networking.js";
import {
  DEFAULT_CLASS_ANNOTATION,
  INGRESS_CLASS_NAME,
  INGRESS_CONTROLLER,
  ingressClassOf,
} from "../../../src/controllers/ingress-class.js";

// The control plane bootstraps this class (default-marked) with this controller; both sides share the names.
export { INGRESS_CLASS_NAME, INGRESS_CONTROLLER };

export function servedIngresses(ingresses: Ingress[], classes: IngressClass[]): Ingress[] {
  const byName = new Map(classes.map((c) => [c.metadata.name ?? "", c]));
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  const unclassedServed = defaults.length === 0 || defaults.some((c) => c.spec?.controller === INGRESS_CONTROLLER);
  return ingresses.filter((ingress) => {
    const name = ingressClassOf(ingress);
    if (name === undefined || name === "") return unclassedServed;
    const ingressClass = byName.get(name);
    return ingressClass ? ingressClass.spec?.controller === INGRESS_CONTROLLER : name === INGRESS_CLASS_NAME;
  });
}
