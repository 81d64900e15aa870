/**
 * The agent channel over a hibernatable WebSocket (docs/agent-protocol.md
 * "Desired state: WebSocket"): the rules the NodeChannel shard applies to
 * its sockets, kept pure so they are testable without the runtime.
 *
 * The agent sends "ping" every PING_INTERVAL_MS; the runtime answers "pong"
 * itself (setWebSocketAutoResponse) without waking the shard, and records
 * when it last did. A socket whose pings stopped is half-open: the link died
 * without a close frame. The shard's alarm finds those.
 */

/** How often the agent pings (agent/src/controlplane/channel-socket.ts uses the same). */
export const PING_INTERVAL_MS = 30_000;
/** Two missed pings and some slack: a socket quiet this long is half-open. */
export const STALE_AFTER_MS = 2 * PING_INTERVAL_MS + 10_000;
/**
 * The shard's alarm runs at most this often while sockets are connected
 * (or polling nodes are live): each run wakes a hibernated shard, and is a
 * billed request.
 */
export const SWEEP_INTERVAL_MS = 60_000;

/** Kept on each socket with serializeAttachment, so it survives hibernation. */
export interface SocketAttachment {
  node: string;
  openedAt: number;
  /** Set when the runtime reported the socket closed or failed. */
  closedAt?: number;
}

/** What the agent sends and the runtime answers without waking the shard. */
export const PING = "ping";
export const PONG = "pong";

/** The node a `/kubeflare/v1/nodes/{node}/channel` path names. */
export function channelNode(pathname: string): string | undefined {
  const m = /^\/kubeflare\/v1\/nodes\/([^/]+)\/channel$/.exec(pathname);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** The socket's last sign of life: its last auto-answered ping, or its opening. */
export function lastSignOfLife(attachment: SocketAttachment, lastPong: Date | null | undefined): number {
  return Math.max(attachment.openedAt, lastPong?.getTime() ?? 0);
}

export function isStale(lastSeen: number, now: number): boolean {
  return now - lastSeen > STALE_AFTER_MS;
}

/**
 * When the next sweep runs: not before SWEEP_INTERVAL_MS, and no later than
 * the grace period when that is longer (a long grace needs no faster sweep).
 */
export function sweepDelayMs(graceMs: number): number {
  return Math.max(graceMs, SWEEP_INTERVAL_MS);
}
