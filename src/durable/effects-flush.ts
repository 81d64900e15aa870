/**
 * Sends a store's gathered effects to the objects they concern, then arms
 * the alarm for the earliest queued key. Called once at the end of every
 * call and alarm run, so a burst of writes costs one message per target.
 */
import type { KubeObject } from "../schema/meta.js";
import { Effects } from "./effects.js";
import { buildNodeShare } from "./node-share.js";
import { nodeViewChanged, type NodeChange } from "./node-cache.js";
import { channelByShard, channelShard, clusterStore, namespaceStore } from "./stubs.js";
import type { StoreKernel } from "./store-kernel.js";

export async function flushEffects(k: StoreKernel, storage: DurableObjectStorage): Promise<void> {
  const fx = k.effects;
  if (fx.phases.size) await syncNamespacePhases(k);
  if (fx.dirtyNodes.size) await pushNodeShares(k);
  if (fx.releases.size) await clusterStore(k.env).release(Effects.drain(fx.releases));
  if (fx.serviceReleases.size) await clusterStore(k.env).releaseServiceAllocations(Effects.drain(fx.serviceReleases));
  if (fx.heartbeats.size)
    await clusterStore(k.env).heartbeat(Effects.drain(fx.heartbeats).map(([node, time]) => ({ node, time })));
  if (fx.nodeChanges.size) await broadcastNodeChanges(k);
  await armAlarm(k, storage);
}

/** Sets the one alarm to the earliest due key (alarms are at-least-once; runs are idempotent). */
export async function armAlarm(k: StoreKernel, storage: DurableObjectStorage): Promise<void> {
  const due = k.queue.nextDue();
  if (due === undefined) return;
  const current = await storage.getAlarm();
  if (current === null || due < current) await storage.setAlarm(Math.max(due, Date.now()));
}

/** Tells namespace stores about Namespace changes; a new namespace also gets the current Nodes. */
async function syncNamespacePhases(k: StoreKernel): Promise<void> {
  const pending = Effects.drain(k.effects.phases);
  const nodes = k.table.list("nodes");
  await Promise.all(
    pending.map(([ns, phase]) => namespaceStore(k.env, ns).setNamespacePhase(ns, phase, phase === "Active" ? nodes : undefined)),
  );
}

/** Each node's channel gets this namespace's share of the node's desired state. */
async function pushNodeShares(k: StoreKernel): Promise<void> {
  const nodes = Effects.drain(k.effects.dirtyNodes);
  const ns = k.namespace;
  if (!ns) return;
  const rv = k.table.currentRv;
  const byShard = new Map<number, { node: string; namespace: string; rv: number; share: ReturnType<typeof buildNodeShare> }[]>();
  for (const node of nodes) {
    const share = buildNodeShare(k.table.podsOnNode(node), (r, n) => k.table.get(r, n));
    const shard = channelShard(k.env, node);
    const list = byShard.get(shard) ?? [];
    list.push({ node, namespace: ns, rv, share });
    byShard.set(shard, list);
  }
  await Promise.all([...byShard].map(([shard, items]) => channelByShard(k.env, shard).setShares(items)));
}

/**
 * Every namespace store keeps a copy of the Nodes (scheduler, DaemonSets and
 * evictions read them). They hear of a Node only when something they read
 * changed, not of heartbeat times; the cluster store's own copy records what
 * they were last told.
 */
async function broadcastNodeChanges(k: StoreKernel): Promise<void> {
  const all: NodeChange[] = Effects.drain(k.effects.nodeChanges).map(([name, node]) => ({ name, node: node as KubeObject | null }));
  for (const c of all) if (!c.node) k.ledger.releaseNode(c.name);
  const changes = all.filter((c) => nodeViewChanged(k.nodeCache.get(c.name), c.node));
  if (!changes.length) return;
  const namespaces = k.table.list("namespaces").map((n) => n.metadata.name!);
  await Promise.all(namespaces.map((ns) => namespaceStore(k.env, ns).updateNodeCache(ns, changes)));
  k.nodeCache.apply(changes);
}
