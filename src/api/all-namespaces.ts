/**
 * Lists and watches across every namespace (`kubectl get pods -A`). Each
 * namespace is its own store, so these fan out to the stores and merge.
 * resourceVersions are hybrid clocks (see object-table.ts), so the highest
 * version seen is a valid place for every store to resume from.
 */
import type { Env } from "../env.js";
import type { KubeObject } from "../schema/meta.js";
import type { ResourceType } from "../schema/registry.js";
import { decodeContinue, encodeContinue, type ListQuery } from "../durable/list-query.js";
import type { ObjectList } from "../durable/resource-store.js";
import { unwrap } from "../durable/result.js";
import { clusterStore, namespaceStore } from "../durable/stubs.js";
import { MergedWatch, forEachLine, type LineTransform } from "./watch-stream.js";

async function namespaceNames(env: Env): Promise<string[]> {
  const list = unwrap(await clusterStore(env).list("namespaces", {}));
  return list.items.map((n) => n.metadata.name!).sort();
}

export async function listAllNamespaces(env: Env, rt: ResourceType, q: ListQuery): Promise<ObjectList> {
  const names = await namespaceNames(env);
  const limit = q.limit && q.limit > 0 ? q.limit : 0;
  const selectors = { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector };
  if (!limit) {
    const lists = await Promise.all(names.map(async (ns) => unwrap(await namespaceStore(env, ns).list(rt.resource, selectors))));
    return {
      items: lists.flatMap((l) => l.items),
      resourceVersion: maxVersion(lists.map((l) => l.resourceVersion)),
    };
  }
  const token = q.continue ? decodeContinue(q.continue) : undefined;
  const items: KubeObject[] = [];
  const versions: string[] = [];
  for (const ns of names) {
    if (token?.ns && ns < token.ns) continue;
    const cont = token?.ns === ns && token.after ? encodeContinue({ after: token.after }) : undefined;
    const page = unwrap(
      await namespaceStore(env, ns).list(rt.resource, { ...selectors, limit: limit - items.length, continue: cont }),
    );
    versions.push(page.resourceVersion);
    items.push(...page.items);
    if (items.length >= limit) {
      const last = items[items.length - 1].metadata.name!;
      const more = page.continue !== undefined || names.indexOf(ns) < names.length - 1;
      return {
        items,
        resourceVersion: maxVersion(versions),
        continue: more ? encodeContinue(page.continue ? { ns, after: last } : { ns: names[names.indexOf(ns) + 1], after: "" }) : undefined,
      };
    }
  }
  return { items, resourceVersion: maxVersion(versions) };
}

const maxVersion = (vs: string[]) => vs.reduce((a, b) => (Number(b) > Number(a) ? b : a), "1");

/** Opens one watch per namespace store, and another on namespaces so new ones join the stream. */
export async function watchAllNamespaces(env: Env, rt: ResourceType, q: ListQuery, transform: LineTransform): Promise<ReadableStream<Uint8Array>> {
  const merged = new MergedWatch(transform);
  const watching = new Set<string>();
  const join = async (ns: string, query: ListQuery) => {
    if (watching.has(ns)) return;
    watching.add(ns);
    const r = await namespaceStore(env, ns).watch(rt.resource, query);
    if (r.ok) merged.add(r.value, () => watching.delete(ns));
    else {
      watching.delete(ns);
      await merged.write(JSON.stringify({ type: "ERROR", object: r.status }));
    }
  };
  const names = await namespaceNames(env);
  await Promise.all(names.map((ns) => join(ns, q)));
  const nsWatch = unwrap(await clusterStore(env).watch("namespaces", { resourceVersion: "", timeoutSeconds: q.timeoutSeconds }));
  // Namespaces that appear later start from their beginning: everything in them is new to this watcher.
  void forEachLine(nsWatch, async (line) => {
    const e = JSON.parse(line) as { type: string; object: KubeObject };
    if (e.type === "ADDED" && !names.includes(e.object.metadata.name!))
      await join(e.object.metadata.name!, { ...q, resourceVersion: undefined });
  }).finally(() => merged.close());
  return merged.readable;
}
