/**
 * The desired state: received from the control plane (over the channel
 * socket, channel-socket.ts, or by long-polling), written to disk after
 * every change, and read back at start so the node keeps running its pods
 * when it boots without the control plane.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { retryDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";
import type { DesiredState } from "../pod-runtime/types.js";
import { isUnavailableStatus, TransportError, type ControlPlaneClient } from "./client.js";
import type { ConnectionMonitor } from "./connection.js";
import { UnexpectedResponse } from "./errors.js";
import type { StreamCommand } from "./streams.js";

/** The long-poll's answer, and each message on the channel socket (docs/agent-protocol.md). */
export interface DesiredStateAnswer extends Partial<DesiredState> {
  version: string;
  unchanged?: boolean;
  commands?: StreamCommand[];
  /** The control plane had marked this node unreachable: post Node and pod status again. */
  resync?: boolean;
}

/**
 * How long a poll waits for a change. The poll is also the node's heartbeat,
 * so longer polls mean fewer requests; 50 s stays under the control plane's
 * 55 s cap and common proxies' idle timeouts.
 */
export const POLL_TIMEOUT_SECONDS = 50;

/** desired.json in the state dir. It holds Secrets, so it is written 0600. */
export class DesiredStateCache {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, "desired.json");
  }

  async load(): Promise<DesiredState | undefined> {
    try {
      const state = JSON.parse(await readFile(this.path, "utf8")) as DesiredState;
      return { version: state.version, pods: state.pods ?? [], configMaps: state.configMaps ?? [], secrets: state.secrets ?? [] };
    } catch {
      return undefined;
    }
  }

  async save(state: DesiredState): Promise<void> {
    await mkdir(join(this.path, ".."), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.tmp`;
    await writeFile(temporary, JSON.stringify(state), { mode: 0o600 });
    await rename(temporary, this.path);
  }
}

export interface DesiredStateReceiverOptions {
  cache: DesiredStateCache;
  onState(state: DesiredState): void;
  onCommands(commands: StreamCommand[]): void;
  /** The control plane lost track of this node and asks for its status again. */
  onResync?(): void;
  /** Version to resume from (the cached state's). */
  version?: string;
}

/** Acts on answers, whichever channel brought them; keeps the version the next poll or socket resumes from. */
export class DesiredStateReceiver {
  version: string;

  constructor(private readonly options: DesiredStateReceiverOptions) {
    this.version = options.version ?? "";
  }

  async accept(answer: DesiredStateAnswer): Promise<void> {
    if (!answer.unchanged) {
      const state: DesiredState = {
        version: answer.version,
        pods: answer.pods ?? [],
        configMaps: answer.configMaps ?? [],
        secrets: answer.secrets ?? [],
      };
      // Saved before acting, so a crash right after never runs from an older state than it acted on.
      await this.options.cache.save(state);
      this.options.onState(state);
    }
    this.version = answer.version ?? this.version;
    if (answer.resync) this.options.onResync?.();
    if (answer.commands?.length) this.options.onCommands(answer.commands);
  }
}

export interface DesiredStatePollerOptions extends DesiredStateReceiverOptions {
  client: ControlPlaneClient;
  nodeName: string;
  monitor: ConnectionMonitor;
  pollTimeoutSeconds?: number;
  retry?: BackoffPolicy;
  log: Logger;
  /** Shared with the WebSocket channel, so either resumes from the other's version. */
  receiver?: DesiredStateReceiver;
  /** Polling ends when this aborts (the WebSocket channel's fallback is temporary). */
  until?: AbortSignal;
}

export class DesiredStatePoller {
  private readonly abort = new AbortController();
  private readonly signal: AbortSignal;
  private readonly receiver: DesiredStateReceiver;
  private loop?: Promise<void>;

  constructor(private readonly options: DesiredStatePollerOptions) {
    this.receiver = options.receiver ?? new DesiredStateReceiver(options);
    this.signal = options.until ? AbortSignal.any([this.abort.signal, options.until]) : this.abort.signal;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Resolves once polling has ended (stopped, or `until` aborted). */
  async finished(): Promise<void> {
    await this.loop;
  }

  private async run(): Promise<void> {
    const { client, nodeName, monitor, log } = this.options;
    const timeoutSeconds = this.options.pollTimeoutSeconds ?? POLL_TIMEOUT_SECONDS;
    let failures = 0;
    let lastError = "";
    while (!this.signal.aborted) {
      const started = Date.now();
      try {
        const path =
          `/kubeflare/v1/nodes/${encodeURIComponent(nodeName)}/desired` +
          `?version=${encodeURIComponent(this.receiver.version)}&timeoutSeconds=${timeoutSeconds}`;
        const response = await client.request<DesiredStateAnswer>("GET", path, undefined, {
          timeoutMs: (timeoutSeconds + 15) * 1000,
          signal: this.signal,
        });
        if (isUnavailableStatus(response.status)) throw new TransportError(`HTTP ${response.status}`);
        monitor.succeeded();
        if (response.status !== 200) throw new UnexpectedResponse(response.status, "polling desired state", response.body);
        failures = 0;
        lastError = "";
        await this.receiver.accept(response.body);
      } catch (error) {
        if (this.signal.aborted) return;
        if (error instanceof TransportError) monitor.failed(error, started);
        else if ((error as Error).message !== lastError) log(`desired state: ${(error as Error).message}`);
        lastError = (error as Error).message;
        await sleep(retryDelayMs(failures++, this.options.retry ?? RECONNECT_BACKOFF), this.signal);
      }
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
