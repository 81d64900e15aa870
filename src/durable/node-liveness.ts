/**
 * Node liveness as a NodeChannel shard sees it: an agent's long-poll or its
 * channel WebSocket is its heartbeat. A node is alive while one of its polls
 * is parked here or its socket is connected (and still pinging), and for the
 * grace period after its last poll arrived or was answered, or its socket
 * closed; an answer that never reaches the agent (a lost connection) is
 * noticed because no new poll follows it.
 *
 * Only transitions leave the shard: "live" when a node's poll arrives and
 * the cluster store does not already know it as live, "silent" once it has
 * been quiet past the grace period. They are sent in batches, and a batch
 * that fails is sent again, so the cluster store ends up with the shard's
 * verdict even across errors.
 */

export interface LivenessReport {
  node: string;
  live: boolean;
  /** When the shard decided (ms since the epoch). */
  at: number;
}

/** When each node was last heard from, and how many of its polls are parked now. Pure bookkeeping. */
export class PollTracker {
  private readonly seen = new Map<string, number>();
  private readonly parked = new Map<string, number>();

  /** `since` stands in for nodes not heard from since this object started (e.g. after a restart). */
  constructor(
    readonly graceMs: number,
    private readonly since: number,
  ) {}

  pollStarted(node: string, now: number): void {
    this.seen.set(node, now);
    this.parked.set(node, (this.parked.get(node) ?? 0) + 1);
  }

  /** A sign of life that parks nothing: a channel socket opening or closing. */
  heard(node: string, at: number): void {
    this.seen.set(node, Math.max(at, this.seen.get(node) ?? 0));
  }

  pollEnded(node: string, now: number): void {
    this.seen.set(node, now);
    const left = (this.parked.get(node) ?? 1) - 1;
    if (left > 0) this.parked.set(node, left);
    else this.parked.delete(node);
  }

  isParked(node: string): boolean {
    return this.parked.has(node);
  }

  alive(node: string, now: number): boolean {
    return this.isParked(node) || now - (this.seen.get(node) ?? this.since) <= this.graceMs;
  }

  /** Forgets a node the shard no longer serves. */
  forget(node: string): void {
    this.seen.delete(node);
    this.parked.delete(node);
  }
}

export interface ChannelLivenessOptions {
  graceMs: number;
  now?: () => number;
  /** Verdicts the cluster store already has (persisted by `save`). */
  load(): Iterable<[node: string, live: boolean]>;
  save(report: LivenessReport): void;
  /** Sends a batch of transitions to the cluster store. */
  send(reports: LivenessReport[]): Promise<void>;
  /**
   * Whether the node has a channel socket that still counts as live (the
   * shard reads this from the runtime's sockets, which survive hibernation
   * where this object's memory does not).
   */
  connected?(node: string, now: number): boolean;
  /** Whether this shard serves the node (a node moved by a shard-count change is not ours to judge). */
  serves(node: string): boolean;
  /** How long transitions are gathered into one batch (default 50 ms). */
  batchMs?: number;
  /** Wait before sending a failed batch again (default 5 s). */
  retryMs?: number;
}

export class ChannelLiveness {
  private readonly tracker: PollTracker;
  private readonly now: () => number;
  /** The verdict the cluster store has, per node. */
  private readonly reported = new Map<string, boolean>();
  private readonly pending = new Map<string, LivenessReport>();
  /** The batch being sent now. */
  private inFlight = new Map<string, LivenessReport>();
  private readonly checks = new Map<string, ReturnType<typeof setTimeout>>();
  private flushTimer?: ReturnType<typeof setTimeout>;
  private flushing?: Promise<void>;

  constructor(private readonly options: ChannelLivenessOptions) {
    this.now = options.now ?? Date.now;
    this.tracker = new PollTracker(options.graceMs, this.now());
    for (const [node, live] of options.load()) this.reported.set(node, live);
  }

  /**
   * A poll arrived. Returns true when the cluster store was told this node
   * went silent: it has marked the node unreachable, so the agent should
   * post its Node and pod status again.
   */
  arrived(node: string): boolean {
    this.tracker.pollStarted(node, this.now());
    return this.cameBack(node);
  }

  /** A channel socket opened; like `arrived`, returns true when the agent should resync. */
  socketOpened(node: string): boolean {
    this.tracker.heard(node, this.now());
    return this.cameBack(node);
  }

  /**
   * A channel socket closed or failed, or was found half-open (then `lastSeen`
   * is its last ping): silent once the grace period has passed since then,
   * unless the node is back meanwhile.
   */
  socketClosed(node: string, lastSeen = this.now()): void {
    this.tracker.heard(node, lastSeen);
    if (this.tracker.isParked(node)) return;
    this.scheduleCheck(node, Math.max(0, lastSeen + this.options.graceMs - this.now()));
  }

  private cameBack(node: string): boolean {
    this.cancelCheck(node);
    // Once per return: later polls find the "live" verdict already on its way.
    const told = this.inFlight.get(node)?.live ?? this.reported.get(node);
    const wasSilent = told === false && this.pending.get(node)?.live !== true;
    if (this.verdict(node) !== true) this.queue({ node, live: true, at: this.now() });
    return wasSilent;
  }

  /** A poll was answered (or its caller went away). Silence is checked once the grace period has passed. */
  left(node: string): void {
    this.tracker.pollEnded(node, this.now());
    if (this.tracker.isParked(node)) return;
    this.scheduleCheck(node, this.options.graceMs);
  }

  private scheduleCheck(node: string, delayMs: number): void {
    this.cancelCheck(node);
    this.checks.set(
      node,
      setTimeout(() => {
        this.checks.delete(node);
        this.check(node);
      }, delayMs + 10),
    );
  }

  /** Judges every node the cluster store believes live (the alarm's backstop). Returns whether any is still live. */
  sweep(): boolean {
    for (const node of this.liveNodes()) this.check(node);
    return this.liveNodes().length > 0;
  }

  /** Nodes whose last verdict, sent or about to be, is live. */
  liveNodes(): string[] {
    const nodes = new Set([...this.reported.keys(), ...this.inFlight.keys(), ...this.pending.keys()]);
    return [...nodes].filter((n) => this.verdict(n) === true);
  }

  /** Sends what is pending now (tests and shutdown); resolves when the cluster store has it or the send failed. */
  async flush(): Promise<void> {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.inFlight = new Map(batch.map((r) => [r.node, r]));
    this.flushing = this.options
      .send(batch)
      .then(() => {
        for (const r of batch) {
          this.reported.set(r.node, r.live);
          this.options.save(r);
        }
      })
      .catch(() => {
        // A newer verdict queued meanwhile wins; the rest goes again later.
        for (const r of batch) if (!this.pending.has(r.node)) this.pending.set(r.node, r);
        this.schedule(this.options.retryMs ?? 5000);
      })
      .finally(() => {
        this.inFlight = new Map();
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private cancelCheck(node: string): void {
    const timer = this.checks.get(node);
    if (timer !== undefined) clearTimeout(timer);
    this.checks.delete(node);
  }

  private check(node: string): void {
    if (this.verdict(node) !== true) return;
    if (!this.options.serves(node)) {
      this.tracker.forget(node);
      return;
    }
    const now = this.now();
    if (!this.tracker.alive(node, now) && !this.options.connected?.(node, now)) this.queue({ node, live: false, at: now });
  }

  private verdict(node: string): boolean | undefined {
    return this.pending.get(node)?.live ?? this.inFlight.get(node)?.live ?? this.reported.get(node);
  }

  private queue(report: LivenessReport): void {
    if ((this.inFlight.get(report.node)?.live ?? this.reported.get(report.node)) === report.live) this.pending.delete(report.node);
    else this.pending.set(report.node, report);
    if (this.pending.size) this.schedule(this.options.batchMs ?? 50);
  }

  private schedule(delayMs: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, delayMs);
  }
}
