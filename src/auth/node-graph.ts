/**
 * The NodeGraph the node authorizer asks, answered by the namespace stores
 * with the ordinary get/list calls and kept GRAPH_TTL_MS in the isolate. Only
 * answers that allow are trusted from the cache: a "no" is asked again, so a
 * pod bound a moment ago (or a Secret it just started to reference) is never
 * refused for being newer than the cache.
 */
import type { Env } from "../env.js";
import type { KubeObject } from "../schema/meta.js";
import type { Pod } from "../schema/core.js";
import { namespaceStore } from "../durable/stubs.js";
import { referencedObjects } from "../durable/node-share.js";
import { dns1123LabelErrors } from "../registry/names.js";
import { readObject } from "../api/body.js";
import type { NodeGraph } from "./node-restriction.js";
import { TtlCache } from "./ttl-cache.js";

export const GRAPH_TTL_MS = 2_000;

const podNodes = new TtlCache<string | undefined>(GRAPH_TTL_MS, 5000);
const nodeReferences = new TtlCache<{ configmaps: Set<string>; secrets: Set<string> }>(GRAPH_TTL_MS);
const tlsSecrets = new TtlCache<Set<string>>(GRAPH_TTL_MS);

/** Looks in the cache first and trusts it only when it says yes. */
async function positiveFirst<V>(cache: TtlCache<V>, key: string, load: () => Promise<V>, yes: (v: V) => boolean): Promise<boolean> {
  if (yes(await cache.get(key, load))) return true;
  cache.delete(key);
  return yes(await cache.get(key, load));
}

const validNamespace = (ns: string) => !!ns && dns1123LabelErrors(ns).length === 0;

export function storeNodeGraph(env: Env, request: Request): NodeGraph {
  return {
    async podNode(namespace, name) {
      if (!validNamespace(namespace)) return undefined;
      const load = async () => {
        const r = await namespaceStore(env, namespace).get("pods", name);
        return r.ok ? ((r.value as KubeObject).spec?.nodeName as string | undefined) : undefined;
      };
      const key = `${namespace}/${name}`;
      let node = await podNodes.get(key, load);
      if (node === undefined) {
        podNodes.delete(key);
        node = await podNodes.get(key, load);
      }
      return node;
    },
    referencedByPods(node, namespace, resource, name) {
      if (!validNamespace(namespace)) return Promise.resolve(false);
      const load = async () => {
        const r = await namespaceStore(env, namespace).list("pods", { fieldSelector: `spec.nodeName=${node}` });
        const refs = { configmaps: new Set<string>(), secrets: new Set<string>() };
        for (const pod of r.ok ? r.value.items : []) {
          const { configMaps, secrets } = referencedObjects(pod as unknown as Pod);
          configMaps.forEach((n) => refs.configmaps.add(n));
          secrets.forEach((n) => refs.secrets.add(n));
        }
        return refs;
      };
      return positiveFirst(nodeReferences, `${node}\u0000${namespace}`, load, (refs) => refs[resource].has(name));
    },
    ingressTLSSecret(namespace, name) {
      if (!validNamespace(namespace)) return Promise.resolve(false);
      const load = async () => {
        const r = await namespaceStore(env, namespace).list("ingresses", {});
        const names = new Set<string>();
        for (const ing of r.ok ? r.value.items : []) for (const t of ing.spec?.tls ?? []) if (t?.secretName) names.add(t.secretName);
        return names;
      };
      return positiveFirst(tlsSecrets, namespace, load, (names) => names.has(name));
    },
    async createdName() {
      try {
        const body = await readObject(request.clone());
        const name = (body.metadata as { name?: unknown } | undefined)?.name;
        return typeof name === "string" ? name : undefined;
      } catch {
        // A body that does not parse is refused by the handler with its own 4xx; here it names nothing.
        return undefined;
      }
    },
  };
}
