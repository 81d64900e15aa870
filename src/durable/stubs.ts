/** How the rest of the system addresses stores: one per namespace, one for the cluster scope. */
import type { Env } from "../env.js";
import type { ResourceStore } from "./resource-store.js";
import type { NodeChannel } from "./node-channel.js";

/**
 * The store's RPC surface as plain method types: the generated stub types
 * lose the Result<T> generics, and every caller unwraps Results anyway.
 */
export type StoreApi = Pick<
  ResourceStore,
  "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deleteCollection" | "setNamespacePhase" | "finalizeNamespace" | "updatePodStatuses" | "recordEvents" | "release" | "heartbeat" | "nodeLiveness" | "updateNodeCache" | "schedulingSnapshot" | "reserve"
  | "assignServiceAllocations" | "releaseServiceAllocations" | "defaultIngressClassName"
  | "createToken" | "listTokens" | "getToken" | "deleteToken" | "reviewToken" | "joinNode"
>;

const stub = (env: Env, name: string) => env.STORE.get(env.STORE.idFromName(name)) as unknown as StoreApi;

export const clusterStore = (env: Env) => stub(env, "cluster");

export const namespaceStore = (env: Env, namespace: string) => stub(env, `ns:${namespace}`);

/** The store that holds objects of `namespace` (cluster-scoped when undefined). */
export const storeFor = (env: Env, namespace: string | undefined) =>
  namespace === undefined ? clusterStore(env) : namespaceStore(env, namespace);

/** FNV-1a: a stable, cheap hash to pick a node's channel shard. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export type ChannelApi = Pick<NodeChannel, "setShare" | "setShares" | "desired" | "openStream" | "attachStream" | "waiting">;

/** Which NodeChannel shard serves a node. */
export function channelShard(env: Env, node: string): number {
  const shards = Math.max(1, Number(env.NODE_CHANNEL_SHARDS ?? 1));
  return fnv1a(node) % shards;
}

export const channelByShard = (env: Env, shard: number): ChannelApi =>
  env.NODE_CHANNEL.get(env.NODE_CHANNEL.idFromName(`shard:${shard}`)) as unknown as ChannelApi;

export const nodeChannel = (env: Env, node: string): ChannelApi => channelByShard(env, channelShard(env, node));
