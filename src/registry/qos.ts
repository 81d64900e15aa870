/** Pod QoS class, as the apiserver records it in status.qosClass. */
import type { PodSpec } from "../schema/core.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
/** Runs before validation, so a wrong type anywhere (`containers: {}`) reads as nothing rather than throwing. */
const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

export function qosClass(spec: PodSpec | undefined): "Guaranteed" | "Burstable" | "BestEffort" {
  const s: unknown = spec;
  const containers = isObject(s) ? [...objectsIn(s.containers), ...objectsIn(s.initContainers)] : [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = isObject(c.resources) ? c.resources : {};
    const req = isObject(resources.requests) ? resources.requests : {};
    const lim = isObject(resources.limits) ? resources.limits : {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
