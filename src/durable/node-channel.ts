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
 * The polls are also the nodes' heartbeats (node-liveness.ts): the shard
 * tells the cluster store only when a node goes silent or comes back, so an
 * idle node costs its polls and nothing else.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { KubeObject, Status } from "../schema/meta.js";
import { NodeMonitorGracePeriod } from "../controllers/node-lifecycle.js";
import type { NodeShare } from "./node-share.js";
import { ChannelLiveness, type LivenessReport } from "./node-liveness.js";
import { channelShard, clusterStore } from "./stubs.js";

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

export type StreamOpening = { ok: true; stream: ReadableStream<Uint8Array> } | { ok: false; status: Status };

interface PendingStream {
  node: string;
  settle: (s: StreamOpening) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a kubectl logs request waits for the node's agent to pick the command up. */
const STREAM_PICKUP_MS = 35_000;

export class NodeChannel extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly commands = new Map<string, StreamCommand[]>();
  private readonly pendingStreams = new Map<string, PendingStream>();
  private readonly liveness: ChannelLiveness;
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
    const grace = Number(env.NODE_MONITOR_GRACE_SECONDS);
    this.graceMs = grace > 0 ? grace * 1000 : NodeMonitorGracePeriod;
    this.liveness = new ChannelLiveness({
      graceMs: this.graceMs,
      load: () => this.sql.exec<{ node: string; live: number }>("SELECT node, live FROM liveness").toArray().map((r) => [r.node, r.live === 1]),
      save: (r) => this.sql.exec("INSERT OR REPLACE INTO liveness (node, live, at) VALUES (?, ?, ?)", r.node, r.live ? 1 : 0, r.at),
      send: (reports) => this.report(reports),
      serves: (node) => this.shard === undefined || channelShard(env, node) === this.shard,
    });
  }

  /** Transitions to the cluster store; the alarm backs up the in-memory silence checks while any node is live. */
  private async report(reports: LivenessReport[]): Promise<void> {
    await clusterStore(this.env).nodeLiveness(reports);
    if (reports.some((r) => r.live) && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.graceMs);
  }

  /** The backstop: nodes believed live that this object has not heard from (e.g. since a restart) go silent. */
  async alarm(): Promise<void> {
    const anyLive = this.liveness.sweep();
    await this.liveness.flush();
    if (anyLive) await this.ctx.storage.setAlarm(Date.now() + this.graceMs);
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
    if (row && row.body === body) return;
    if (empty) this.sql.exec("DELETE FROM shares WHERE node = ? AND namespace = ?", node, namespace);
    else
      this.sql.exec(
        "INSERT OR REPLACE INTO shares (node, namespace, rv, body) VALUES (?, ?, ?, ?)",
        node,
        namespace,
        rv,
        body,
      );
    if (!row && empty) return;
    this.sql.exec(
      "INSERT INTO versions (node, version) VALUES (?, 1) ON CONFLICT(node) DO UPDATE SET version = version + 1",
      node,
    );
    this.wake(node);
  }

  private version(node: string): string {
    const row = this.sql.exec<{ version: number }>("SELECT version FROM versions WHERE node = ?", node).toArray()[0];
    return String(row?.version ?? 0);
  }

  private state(node: string): DesiredState {
    const shares = this.sql
      .exec<{ body: string }>("SELECT body FROM shares WHERE node = ? ORDER BY namespace", node)
      .toArray()
      .map((r) => JSON.parse(r.body) as NodeShare);
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
    const opening = new Promise<StreamOpening>((settle) => {
      const timer = setTimeout(() => {
        this.pendingStreams.delete(command.id);
        settle({
          ok: false,
          status: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            reason: "ServiceUnavailable",
            code: 503,
            message: `node "${node}" did not answer within ${STREAM_PICKUP_MS / 1000}s (is its agent connected?)`,
          },
        });
      }, STREAM_PICKUP_MS);
      this.pendingStreams.set(command.id, { node, settle, timer });
    });
    const list = this.commands.get(node) ?? [];
    list.push(command);
    this.commands.set(node, list);
    this.wake(node);
    return opening;
  }

  /**
   * The agent's answer to a stream command. Data is piped to the waiting
   * kubectl request until either side ends; returns false when no request
   * waits for this id (it timed out, or kubectl went away).
   */
  async attachStream(node: string, id: string, body: ReadableStream<Uint8Array> | null, status?: Status): Promise<boolean> {
    const pending = this.pendingStreams.get(id);
    if (!pending || pending.node !== node) {
      await body?.cancel().catch(() => undefined);
      return false;
    }
    this.pendingStreams.delete(id);
    clearTimeout(pending.timer);
    if (status || !body) {
      pending.settle({ ok: false, status: status ?? { kind: "Status", apiVersion: "v1", status: "Failure", code: 500, reason: "InternalError", message: "empty stream" } });
      return true;
    }
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    pending.settle({ ok: true, stream: pipe.readable });
    await body.pipeTo(pipe.writable).catch(() => undefined);
    return true;
  }
}
