/**
 * A namespace's share of one node's desired state: the pods bound to the node
 * and the ConfigMaps and Secrets they reference. The node channel joins the
 * shares of every namespace into the answer an agent's long-poll receives.
 */
import type { KubeObject } from "../schema/meta.js";
import type { Pod } from "../schema/core.js";

export interface NodeShare {
  pods: KubeObject[];
  configMaps: KubeObject[];
  secrets: KubeObject[];
}

/** Names of the ConfigMaps and Secrets a pod reads (volumes, env, envFrom). */
export function referencedObjects(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    const sources = (v.projected as { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] } | undefined)?.sources;
    for (const s of sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
  }
  return { configMaps, secrets };
}

export function buildNodeShare(
  pods: KubeObject[],
  getObject: (resource: "configmaps" | "secrets", name: string) => KubeObject | undefined,
): NodeShare {
  const cm = new Set<string>();
  const sec = new Set<string>();
  for (const p of pods) {
    const refs = referencedObjects(p as unknown as Pod);
    refs.configMaps.forEach((n) => cm.add(n));
    refs.secrets.forEach((n) => sec.add(n));
  }
  const pick = (resource: "configmaps" | "secrets", names: Set<string>) =>
    [...names].sort().flatMap((n) => {
      const o = getObject(resource, n);
      return o ? [o] : [];
    });
  return { pods, configMaps: pick("configmaps", cm), secrets: pick("secrets", sec) };
}
