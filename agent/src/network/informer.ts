/**
 * List-then-watch of one resource across all namespaces, as client-go's
 * reflector does: list, watch from the list's resourceVersion, resume a
 * watch that ended from the last version seen, and list again when the
 * server says the version is too old (410 Gone) or anything else fails,
 * with capped backoff. Keeps the current objects by namespace/name.
 */
import type { IncomingMessage } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { retryDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from "../backoff.js";
import type { Logger } from "../log.js";

export interface KubeObjectLike {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: any;
}

/** Streams and lists against the API with the agent's token; its own connections so long watches never starve other requests. */
export class ApiReader {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(
    private readonly server: URL,
    private readonly token: string,
    ca?: string | Buffer,
  ) {
    const https = server.protocol === "https:";
    this.agent = https ? new HttpsAgent({ keepAlive: true, ca }) : new HttpAgent({ keepAlive: true });
    this.send = https ? (httpsRequest as typeof httpRequest) : httpRequest;
  }

  /** Opens `path`; resolves with the response once its headers arrive. */
  open(path: string, signal?: AbortSignal, timeoutMs = 30_000): Promise<IncomingMessage> {
    const base = this.server.pathname.replace(/\/$/, "");
    return new Promise((resolve, reject) => {
      const request = this.send(
        {
          protocol: this.server.protocol,
          hostname: this.server.hostname.replace(/^\[|\]$/g, ""),
          port: this.server.port || undefined,
          path: base + path,
          method: "GET",
          agent: this.agent,
          signal,
          headers: { Authorization: `Bearer ${this.token}`, Accept: "application/json" },
        },
        resolve,
      );
      // A watch that goes silent longer than this (no event, no bookmark) is presumed dead.
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`GET ${path} timed out`)));
      request.on("error", reject);
      request.end();
    });
  }

  async getJson<T = any>(path: string, signal?: AbortSignal): Promise<{ status: number; body: T }> {
    const response = await this.open(path, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.statusCode ?? 0, body };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Thrown inside the loop to go back to listing. */
class Relist extends Error {}

export const objectKey = (o: KubeObjectLike) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** Calls `onLine` for each complete line of a streamed body. */
export async function readLines(stream: AsyncIterable<Buffer | string>, onLine: (line: string) => void): Promise<void> {
  let buffer = "";
  for await (const chunk of stream) {
    buffer += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onLine(line);
    }
  }
  if (buffer.trim()) onLine(buffer.trim());
}

export interface InformerOptions {
  reader: ApiReader;
  /** Collection path across all namespaces, e.g. /api/v1/services. */
  path: string;
  onChange(): void;
  log: Logger;
  retry?: BackoffPolicy;
  /** Server-side watch length; the watch is resumed after it. */
  watchSeconds?: number;
}

export class Informer<T extends KubeObjectLike> {
  readonly items = new Map<string, T>();
  synced = false;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private resourceVersion = "";
  private opened = false;

  constructor(private readonly options: InformerOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get stopped() {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let listed = false;
    let lastError = "";
    while (!this.stopped) {
      try {
        if (!listed) await this.list();
        listed = true;
        // A watch that ended, cleanly or not, resumes from the last version seen.
        for (;;) {
          await this.watch();
          if (this.stopped) return;
        }
      } catch (error) {
        if (this.stopped) return;
        // A watch that was established counts as success: only consecutive failures to get one back off.
        if (this.opened) {
          failures = 0;
          lastError = "";
        }
        this.opened = false;
        if (error instanceof Relist) {
          listed = false;
          continue;
        }
        // A dropped watch is routine (proxies and servers cut long requests): resume at once, and
        // only when that fails too, list again after a backoff and say so.
        if (failures > 0) {
          listed = false;
          const message = (error as Error).message;
          if (message !== lastError) this.options.log(`watch ${this.options.path}: ${message}; retrying`);
          lastError = message;
          await sleep(retryDelayMs(failures - 1, this.options.retry ?? RECONNECT_BACKOFF), this.abort.signal);
        }
        failures++;
      }
    }
  }

  private async list(): Promise<void> {
    const { status, body } = await this.options.reader.getJson(this.options.path, this.abort.signal);
    if (status !== 200 || !Array.isArray(body?.items)) throw new Error(`list answered ${status}${body?.message ? `: ${body.message}` : ""}`);
    this.items.clear();
    for (const item of body.items as T[]) this.items.set(objectKey(item), item);
    this.resourceVersion = body.metadata?.resourceVersion ?? "";
    this.synced = true;
    this.options.onChange();
  }

  private async watch(): Promise<void> {
    const seconds = this.options.watchSeconds ?? 240 + Math.floor(Math.random() * 60);
    const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=${seconds}&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    const response = await this.options.reader.open(`${this.options.path}?${query}`, this.abort.signal, (seconds + 30) * 1000);
    if (response.statusCode === 410) {
      response.resume();
      throw new Relist();
    }
    if (response.statusCode !== 200) {
      response.resume();
      throw new Error(`watch answered ${response.statusCode}`);
    }
    this.opened = true;
    let gone = false;
    await readLines(response, (line) => {
      if (gone) return;
      let event: WatchEvent;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.type === "ERROR") {
        gone = true;
        response.destroy();
        return;
      }
      const version = event.object?.metadata?.resourceVersion;
      if (version) this.resourceVersion = version;
      if (event.type === "BOOKMARK") return;
      const key = objectKey(event.object);
      if (event.type === "DELETED") this.items.delete(key);
      else this.items.set(key, event.object as T);
      this.options.onChange();
    }).catch((error) => {
      if (!gone) throw error;
    });
    // An ERROR event is almost always 410 Gone (the version was compacted): list again.
    if (gone) throw new Relist();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
