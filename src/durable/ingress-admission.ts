/**
 * DefaultIngressClass admission: an Ingress created without a class (neither
 * spec.ingressClassName nor the legacy annotation) gets the cluster's default
 * class, which lives in the cluster store; one round trip, only then.
 */
import type { KubeObject } from "../schema/meta.js";
import { ingressClassOf } from "../controllers/ingress-class.js";

export async function withDefaultIngressClass(input: KubeObject, defaultClass: () => Promise<string | undefined>): Promise<KubeObject> {
  if (!input || typeof input !== "object" || ingressClassOf(input as KubeObject)) return input;
  const spec = input.spec;
  // A malformed spec is left for validation to report.
  if (spec !== undefined && (spec === null || typeof spec !== "object" || Array.isArray(spec))) return input;
  const name = await defaultClass();
  if (!name) return input;
  return { ...input, spec: { ...(spec ?? {}), ingressClassName: name } };
}
