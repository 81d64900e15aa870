/**
 * The desired-state channel over a WebSocket (docs/agent-protocol.md): one
 * socket to the node's channel shard, which sends the whole desired state on
 * connect and pushes it again, and stream commands, as they change. The
 * socket is also the node's heartbeat: the agent pings every 30 s, the
 * control plane's runtime answers without waking anything, and a socket
 * whose pongs stop is taken for dead and replaced.
 *
 * When the control plane (or a proxy in front of it) refuses the upgrade,
 * the agent long-polls instead, and tries the socket again now and then.
 */
import WebSocket from "ws";
import { retryDelayMs, RECONNECT_BACKOFF } from "../backoff.js";
import { isUnavailableStatus, TransportError } from "./client.js";
import { DesiredStatePoller, DesiredStateReceiver, sleep, type DesiredStateAnswer, type DesiredStatePollerOptions } from "./desired-state.js";

export type ChannelMode = "websocket" | "poll";

/** How often the agent pings; the control plane counts a socket half-open after two missed pings. */
export const PING_INTERVAL_MS = 30_000;
/** No pong for this long (two missed pings and some slack): the link is dead even though no close came. */
export const pongTimeoutMs = (pingIntervalMs: number) => Math.round((pingIntervalMs * 7) / 3);
/** After the upgrade was refused, how long the agent long-polls before trying the socket again. */
export const WEBSOCKET_RETRY_MS = 30 * 60_000;

/** How one connection ended. */
export type ChannelEnd =
  /** The upgrade was answered with a plain HTTP status: this control plane or a proxy does not take WebSockets. */
  | { kind: "refused"; status: number }
  /** Never connected: network, TLS, timeout, or a gateway error. */
  | { kind: "unreachable"; error: TransportError }
  /** Connected, then closed by either side, or its pongs stopped. */
  | { kind: "closed"; code: number; reason: string }
  | { kind: "stopped" };

export interface ChannelSocketOptions {
  server: string;
  token: string;
  ca?: string | Buffer;
  nodeName: string;
  signal: AbortSignal;
  onOpen(): void;
  onAnswer(answer: DesiredStateAnswer): Promise<void>;
  pingIntervalMs?: number;
}

/** wss://host/…/nodes/{node}/channel for https://host (ws:// for http://, as tests use). */
export function channelUrl(server: string, nodeName: string): string {
  const url = new URL(server);
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.pathname = `${url.pathname.replace(/\/$/, "")}/kubeflare/v1/nodes/${encodeURIComponent(nodeName)}/channel`;
  return url.toString();
}

/** Whether an HTTP answer to the upgrade means "use the long-poll" rather than "the control plane is away". */
export function classifyRefusal(status: number): ChannelEnd {
  return isUnavailableStatus(status) ? { kind: "unreachable", error: new TransportError(`HTTP ${status}`) } : { kind: "refused", status };
}

/** One connection, from the upgrade to its end; answers are handed over one at a time, in order. */
export function runChannelSocket(options: ChannelSocketOptions): Promise<ChannelEnd> {
  const pingEvery = options.pingIntervalMs ?? PING_INTERVAL_MS;
  return new Promise((resolve) => {
    if (options.signal.aborted) return resolve({ kind: "stopped" });
    const ws = new WebSocket(channelUrl(options.server, options.nodeName), {
      headers: { Authorization: `Bearer ${options.token}` },
      ca: options.ca,
      handshakeTimeout: 30_000,
      perMessageDeflate: false,
    });
    let opened = false;
    let lastHeard = Date.now();
    let unanswered = 0;
    let ping: ReturnType<typeof setInterval> | undefined;
    let answers = Promise.resolve();
    let ended: ChannelEnd | undefined;
    const end = (result: ChannelEnd) => {
      ended ??= result;
    };
    const finish = () => {
      if (ping) clearInterval(ping);
      options.signal.removeEventListener("abort", stop);
      // Answers already received are acted on before the caller moves on.
      void answers.then(() => resolve(ended ?? { kind: "closed", code: 1006, reason: "" }));
    };
    const stop = () => {
      end({ kind: "stopped" });
      if (opened) ws.close(1000, "agent stopping");
      else ws.terminate();
    };
    options.signal.addEventListener("abort", stop, { once: true });

    ws.on("unexpected-response", (_request, response) => {
      end(classifyRefusal(response.statusCode ?? 0));
      response.resume();
      // Aborts the handshake; ws then emits "error" and "close".
      ws.terminate();
    });
    ws.on("error", (error: Error & { code?: string }) => {
      if (!opened) end({ kind: "unreachable", error: new TransportError(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message) });
    });
    ws.on("open", () => {
      opened = true;
      lastHeard = Date.now();
      options.onOpen();
      ping = setInterval(() => {
        // Pongs stopped: a dead link that sent no close. Terminating closes the socket at once.
        // Two pings must have gone unanswered, so a late timer (a busy machine) never counts as silence.
        if (unanswered >= 2 && Date.now() - lastHeard > pongTimeoutMs(pingEvery)) {
          end({ kind: "closed", code: 1006, reason: `no pong for ${Math.round((Date.now() - lastHeard) / 1000)}s` });
          ws.terminate();
        } else {
          ws.send("ping");
          unanswered++;
        }
      }, pingEvery);
    });
    ws.on("message", (data, isBinary) => {
      lastHeard = Date.now();
      unanswered = 0;
      if (isBinary) return;
      const text = data.toString();
      if (text === "pong") return;
      let answer: DesiredStateAnswer;
      try {
        answer = JSON.parse(text) as DesiredStateAnswer;
      } catch {
        return;
      }
      answers = answers.then(() => options.onAnswer(answer)).catch(() => undefined);
    });
    ws.on("close", (code, reason) => {
      if (opened) end({ kind: "closed", code, reason: reason.toString() });
      else end({ kind: "unreachable", error: new TransportError(`connection closed before the upgrade (${code})`) });
      finish();
    });
  });
}

export interface DesiredStateChannelOptions extends DesiredStatePollerOptions {
  mode?: ChannelMode;
  server: string;
  token: string;
  ca?: string | Buffer;
  pingIntervalMs?: number;
  /** How long to long-poll after a refused upgrade before trying the socket again. */
  websocketRetryMs?: number;
}

/**
 * The desired-state channel the agent runs: the WebSocket by default,
 * reconnecting with capped backoff, and the long-poll when the upgrade is
 * refused or `mode` is "poll". Logs one line per change of channel.
 */
export class DesiredStateChannel {
  private readonly abort = new AbortController();
  private readonly receiver: DesiredStateReceiver;
  private loop?: Promise<void>;

  constructor(private readonly options: DesiredStateChannelOptions) {
    this.receiver = new DesiredStateReceiver(options);
  }

  start(): void {
    this.loop ??= this.options.mode === "poll" ? this.poll(this.abort.signal) : this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async poll(until: AbortSignal): Promise<void> {
    const poller = new DesiredStatePoller({ ...this.options, receiver: this.receiver, until });
    poller.start();
    await poller.finished();
  }

  private async run(): Promise<void> {
    const { monitor, log } = this.options;
    const signal = this.abort.signal;
    let failures = 0;
    let refusedWith: number | undefined;
    let announced = false;
    while (!signal.aborted) {
      const started = Date.now();
      const result = await runChannelSocket({
        server: this.options.server,
        token: this.options.token,
        ca: this.options.ca,
        nodeName: this.options.nodeName,
        signal,
        pingIntervalMs: this.options.pingIntervalMs,
        onOpen: () => {
          monitor.succeeded();
          failures = 0;
          if (!announced || refusedWith !== undefined) log("desired state: WebSocket channel connected");
          announced = true;
          refusedWith = undefined;
        },
        onAnswer: (answer) => this.receiver.accept(answer),
      });
      if (signal.aborted || result.kind === "stopped") return;
      if (result.kind === "refused") {
        const retryMs = this.options.websocketRetryMs ?? WEBSOCKET_RETRY_MS;
        if (refusedWith !== result.status)
          log(`desired state: WebSocket upgrade refused (HTTP ${result.status}); long-polling instead, trying the WebSocket again every ${Math.round(retryMs / 60_000)} min`);
        refusedWith = result.status;
        monitor.succeeded();
        await this.poll(AbortSignal.any([signal, AbortSignal.timeout(retryMs)]));
        continue;
      }
      if (result.kind === "unreachable") monitor.failed(result.error, started);
      await sleep(retryDelayMs(failures++, this.options.retry ?? RECONNECT_BACKOFF), signal);
    }
  }
}
