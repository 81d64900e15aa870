/**
 * NodeChannel: where agents' long-polls wait and where streams from nodes
 * (logs; later exec and port-forward) meet the kubectl request waiting for
 * them. One object serves a shard of nodes (by name hash), so a fleet keeps a
 * fixed number of objects awake rather than one per node.
 *
 * Namespace stores push each node's share of desired state here; the answer
 * to a long-poll is always the node's whole state with a version, so a lost
 * answer or a reconnect can never lose an assignment.
 *
 * Agents hold a hibernatable WebSocket here (or, as the fallback, long-poll):
 * the shard sends the whole state on connect and pushes it again whenever the
 * node's share changes, and pushes stream commands as they arrive. Pings are
 * answered by the runtime without waking the shard, so an idle fleet of
 * connected nodes costs no requests and no duration.
 *
 * Sockets and polls are also the nodes' heartbeats (node-liveness.ts): the
 * shard tells the cluster store only when a node goes silent or comes back.
 *
 * Shares hold Secrets, so they are sealed at rest as the stores seal Secrets.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { KubeObject, Status } from "../schema/meta.js";
import { NodeMonitorGracePeriod } from "../controllers/node-lifecycle.js";
import type { NodeShare } from "./node-share.js";
import { ChannelLiveness, type LivenessReport } from "./node-liveness.js";
import { channelShard, clusterStore } from "./stubs.js";
import { Keyring, kekFromEnv } from "../crypto/keyring.js";
import { isSealed } from "../crypto/envelope.js";
import { StreamRendezvous, type StreamOpening } from "./stream-rendezvous.js";
import { channelNode, isStale, lastSignOfLife, PING, PONG, sweepDelayMs, type SocketAttachment } from "./channel-sockets.js";

export interface StreamCommand {
  id: string;
  type: "log";
  namespace: string;
  pod: string;
  uid?: string;
  container: string;
  options: Record<string, unknown>;
}

export interface DesiredState {
  version: string;
  unchanged: boolean;
  pods?: KubeObject[];
  configMaps?: KubeObject[];
  secrets?: KubeObject[];
  commands: StreamCommand[];
  /** The node had been reported silent (marked unreachable): its agent should post Node and pod status again. */
  resync?: boolean;
}

export type { StreamOpening };

export class NodeChannel extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly commands = new Map<string, StreamCommand[]>();
  private readonly streams = new StreamRendezvous();
  private readonly liveness: ChannelLiveness;
  private readonly keyring: Keyring;
  /** node-monitor-grace-period: silence longer than this makes a node unreachable. */
  private readonly graceMs: number;
  /** This shard's number, learned from the nodes that poll it. */
  private shard?: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS shares (
      node TEXT NOT NULL, namespace TEXT NOT NULL, rv INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (node, namespace))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS versions (node TEXT PRIMARY KEY, version INTEGER NOT NULL)`);
    // The verdict the cluster store has per node; written only on transitions.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS liveness (node TEXT PRIMARY KEY, live INTEGER NOT NULL, at INTEGER NOT NULL)`);
    this.keyring = new Keyring(this.sql, () => kekFromEnv(env));
    // Answered by the runtime itself: a ping neither wakes a hibernated shard nor bills.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    const grace = Number(env.NODE_MONITOR_GRACE_SECONDS);
    this.graceMs = grace > 0 ? grace * 1000 : NodeMonitorGracePeriod;
    this.liveness = new ChannelLiveness({
      graceMs: this.graceMs,
      load: () => this.sql.exec<{ node: string; live: number }>("SELECT node, live FROM liveness").toArray().map((r) => [r.node, r.live === 1]),
      save: (r) => this.sql.exec("INSERT OR REPLACE INTO liveness (node, live, at) VALUES (?, ?, ?)", r.node, r.live ? 1 : 0, r.at),
      send: (reports) => this.report(reports),
      connected: (node, now) => this.openSockets(node, now).length > 0,
      serves: (node) => this.shard === undefined || channelShard(env, node) === this.shard,
    });
  }

  /**
   * Transitions to the cluster store. While any node is live the alarm runs:
   * it finds half-open sockets and backs up the in-memory silence checks.
   */
  private async report(reports: LivenessReport[]): Promise<void> {
    await clusterStore(this.env).nodeLiveness(reports);
    if (reports.some((r) => r.live) && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + sweepDelayMs(this.graceMs));
  }

  /**
   * The sweep: sockets whose pings stopped are closed and their nodes judged
   * from their last ping; nodes believed live that this object has not heard
   * from (e.g. since a restart) go silent.
   */
  async alarm(): Promise<void> {
    const now = Date.now();
    if (this.env.LOG_ALARM_RUNS === "1") console.log(`channel wake: alarm, ${this.ctx.getWebSockets().length} sockets`);
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      if (!a) continue;
      this.shard ??= channelShard(this.env, a.node);
      const lastSeen = lastSignOfLife(a, this.ctx.getWebSocketAutoResponseTimestamp(ws));
      if (!isStale(lastSeen, now)) continue;
      closeQuietly(ws, 1011, "no ping received: connection presumed dead");
      this.liveness.socketClosed(a.node, lastSeen);
    }
    const anyLive = this.liveness.sweep();
    await this.liveness.flush();
    if (anyLive) await this.ctx.storage.setAlarm(Date.now() + sweepDelayMs(this.graceMs));
  }

  /** The node's sockets that are open and still pinging. */
  private openSockets(node: string, now = Date.now()): WebSocket[] {
    return this.ctx.getWebSockets(node).filter((ws) => {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      return ws.readyState === WebSocket.OPEN && !!a && a.closedAt === undefined && !isStale(lastSignOfLife(a, this.ctx.getWebSocketAutoResponseTimestamp(ws)), now);
    });
  }

  /**
   * `GET /kubeflare/v1/nodes/{node}/channel` with `Upgrade: websocket`, as
   * the Worker forwards it (authorized there). One channel per node: a new
   * one replaces the old, which may be half-open.
   */
  async fetch(request: Request): Promise<Response> {
    const node = channelNode(new URL(request.url).pathname);
    if (!node) return new Response("not found", { status: 404 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected Upgrade: websocket", { status: 426, headers: { upgrade: "websocket" } });
    this.shard ??= channelShard(this.env, node);
    for (const old of this.ctx.getWebSockets(node)) closeQuietly(old, 4000, "replaced by a newer connection of this node");
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [node]);
    server.serializeAttachment({ node, openedAt: Date.now() } satisfies SocketAttachment);
    const resync = this.liveness.socketOpened(node);
    server.send(JSON.stringify(resync ? { ...this.state(node), resync } : this.state(node)));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Agents send only pings, which the runtime answers without calling this; anything else is ignored. */
  async webSocketMessage(): Promise<void> {
    if (this.env.LOG_ALARM_RUNS === "1") console.log("channel wake: message");
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.socketGone(ws, `close ${code}`);
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.socketGone(ws, `error ${error instanceof Error ? error.message : String(error)}`);
    closeQuietly(ws, 1011, "socket error");
  }

  /** A socket that reported its end may still read as open for a while: its attachment says it is not. */
  private socketGone(ws: WebSocket, how: string): void {
    const a = ws.deserializeAttachment() as SocketAttachment | null;
    if (this.env.LOG_ALARM_RUNS === "1") console.log(`channel wake: ${how}, node ${a?.node}`);
    if (!a) return;
    ws.serializeAttachment({ ...a, closedAt: Date.now() } satisfies SocketAttachment);
    this.shard ??= channelShard(this.env, a.node);
    this.liveness.socketClosed(a.node);
  }

  /** Many nodes' shares in one call: a scheduling round touches hundreds of nodes of one shard. */
  async setShares(items: { node: string; namespace: string; rv: number; share: NodeShare }[]): Promise<void> {
    for (const i of items) await this.setShare(i.node, i.namespace, i.rv, i.share);
  }

  /** A namespace store's current share for `node`; older versions than stored are ignored (writes can race). */
  async setShare(node: string, namespace: string, rv: number, share: NodeShare): Promise<void> {
    const row = this.sql
      .exec<{ rv: number; body: string }>("SELECT rv, body FROM shares WHERE node = ? AND namespace = ?", node, namespace)
      .toArray()[0];
    if (row && row.rv >= rv) return;
    const empty = share.pods.length === 0;
    const body = JSON.stringify(share);
    if (row && this.openShare(node, namespace, row.body) === body) return;
    if (empty) this.sql.exec("DELETE FROM shares WHERE node = ? AND namespace = ?", node, namespace);
    else
      this.sql.exec(
        "INSERT OR REPLACE INTO shares (node, namespace, rv, body) VALUES (?, ?, ?, ?)",
        node,
        namespace,
        rv,
        this.keyring.seal(body, shareAad(node, namespace)),
      );
    if (!row && empty) return;
    this.sql.exec(
      "INSERT INTO versions (node, version) VALUES (?, 1) ON CONFLICT(node) DO UPDATE SET version = version + 1",
      node,
    );
    this.wake(node);
    this.push(node, () => this.state(node));
  }

  /** Rows written before shares were sealed are plain JSON. */
  private openShare(node: string, namespace: string, stored: string): string {
    return isSealed(stored) ? this.keyring.open(stored, shareAad(node, namespace)) : stored;
  }

  private version(node: string): string {
    const row = this.sql.exec<{ version: number }>("SELECT version FROM versions WHERE node = ?", node).toArray()[0];
    return String(row?.version ?? 0);
  }

  private state(node: string): DesiredState {
    const shares = this.sql
      .exec<{ namespace: string; body: string }>("SELECT namespace, body FROM shares WHERE node = ? ORDER BY namespace", node)
      .toArray()
      .map((r) => JSON.parse(this.openShare(node, r.namespace, r.body)) as NodeShare);
    return {
      version: this.version(node),
      unchanged: false,
      pods: shares.flatMap((s) => s.pods),
      configMaps: shares.flatMap((s) => s.configMaps),
      secrets: shares.flatMap((s) => s.secrets),
      commands: this.takeCommands(node),
    };
  }

  /**
   * The long-poll: answers at once when the node's state differs from
   * `version` or a command waits, otherwise when either happens or after
   * `timeoutMs`.
   */
  async desired(node: string, version: string, timeoutMs: number): Promise<DesiredState> {
    this.shard ??= channelShard(this.env, node);
    const resync = this.liveness.arrived(node);
    try {
      const answer = await this.answer(node, version, resync ? 0 : timeoutMs);
      return resync ? { ...answer, resync } : answer;
    } finally {
      this.liveness.left(node);
    }
  }

  private async answer(node: string, version: string, timeoutMs: number): Promise<DesiredState> {
    const ready = () => timeoutMs <= 0 || this.version(node) !== version || (this.commands.get(node)?.length ?? 0) > 0;
    if (!ready()) {
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(node) ?? new Set();
        this.waiters.set(node, set);
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          if (set.size === 0) this.waiters.delete(node);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        set.add(done);
      });
    }
    if (this.version(node) === version) return { version, unchanged: true, commands: this.takeCommands(node) };
    return this.state(node);
  }

  private takeCommands(node: string): StreamCommand[] {
    const list = this.commands.get(node) ?? [];
    this.commands.delete(node);
    return list;
  }

  private wake(node: string): void {
    for (const w of [...(this.waiters.get(node) ?? [])]) w();
  }

  /** Sends `message()` to the node's channel sockets, if it has any; returns whether it went out. */
  private push(node: string, message: () => DesiredState): boolean {
    const sockets = this.openSockets(node);
    if (!sockets.length) return false;
    const text = JSON.stringify(message());
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // A socket closing under us; its close handler judges the node.
      }
    }
    return true;
  }

  /** Number of agents parked on this shard (for metrics and the cost model). */
  async waiting(): Promise<number> {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }

  /**
   * Hands a stream command to the node and waits for its agent to answer:
   * with a stream (the agent's upload body) or a Status.
   */
  async openStream(node: string, command: StreamCommand): Promise<StreamOpening> {
    const opening = this.streams.wait(node, command.id);
    const list = this.commands.get(node) ?? [];
    list.push(command);
    this.commands.set(node, list);
    this.push(node, () => ({ version: this.version(node), unchanged: true, commands: this.takeCommands(node) }));
    this.wake(node);
    return opening;
  }

  /**
   * The agent's answer to a stream command. Data is piped to the waiting
   * kubectl request until either side ends; returns false when no request
   * waits for this id (it timed out, or kubectl went away).
   */
  async attachStream(node: string, id: string, body: ReadableStream<Uint8Array> | null, status?: Status): Promise<boolean> {
    return this.streams.attach(node, id, body, status);
  }
}

const shareAad = (node: string, namespace: string) => `shares/${node}/${namespace}`;

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
