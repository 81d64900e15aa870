/**
 * HTTPS to the control plane with node's own http(s) modules: a keep-alive
 * agent trusting the cluster's CA (--ca-file). Lighter to load than undici,
 * which matters for the agent's memory budget.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";

export interface ControlPlaneClientOptions {
  /** https://host:port (http:// is accepted for tests and local development). */
  server: string;
  token: string;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string | Buffer;
}

/** The control plane could not be reached at all (network, TLS, timeout). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}

class StaleSocket extends TransportError {}

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export interface RequestSettings {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Gateway errors mean the control plane is not there, like a refused connection. */
export function isUnavailableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

export class ControlPlaneClient {
  readonly server: URL;
  private readonly token: string;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(options: ControlPlaneClientOptions) {
    this.server = new URL(options.server);
    this.token = options.token;
    const https = this.server.protocol === "https:";
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxFreeSockets: 4, ca: options.ca })
      : new HttpAgent({ keepAlive: true, maxFreeSockets: 4 });
    this.send = https ? (httpsRequest as typeof httpRequest) : httpRequest;
  }

  private options(method: string, path: string, headers: Record<string, string>): RequestOptions {
    const base = this.server.pathname.replace(/\/$/, "");
    return {
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[|\]$/g, ""),
      port: this.server.port || undefined,
      method,
      path: base + path,
      agent: this.agent,
      headers: { Authorization: `Bearer ${this.token}`, Accept: "application/json", ...headers },
    };
  }

  /** A JSON request. HTTP errors are returned, not thrown; only transport failures throw (TransportError). */
  async request<T = any>(method: string, path: string, body?: unknown, settings: RequestSettings = {}): Promise<JsonResponse<T>> {
    try {
      return await this.requestOnce<T>(method, path, body, settings);
    } catch (error) {
      // A kept-alive socket the server closed meanwhile fails on first use; that is not an outage, try a fresh one.
      if (error instanceof StaleSocket) return this.requestOnce<T>(method, path, body, settings);
      throw error;
    }
  }

  private requestOnce<T>(method: string, path: string, body: unknown, settings: RequestSettings): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload
      ? { "Content-Type": "application/json", "Content-Length": String(payload.length) }
      : {};
    return new Promise((resolve, reject) => {
      const request = this.send({ ...this.options(method, path, headers), signal: settings.signal }, (response) => {
        readBody(response).then(
          (text) => resolve({ status: response.statusCode ?? 0, body: parseJson(text) as T }),
          (error) => reject(new TransportError((error as Error).message)),
        );
      });
      request.setTimeout(settings.timeoutMs ?? 30_000, () => request.destroy(new Error("request timed out")));
      request.on("error", (error: Error & { code?: string }) => {
        const stale = request.reusedSocket && (error.code === "ECONNRESET" || error.message === "socket hang up");
        reject(stale ? new StaleSocket(describe(error)) : new TransportError(describe(error)));
      });
      request.end(payload);
    });
  }

  /**
   * Streams `body` up as a chunked request body. Resolves with the response
   * status, which may come before the body ends: the control plane answers
   * early when the reader went away, and the upload stops there.
   */
  upload(path: string, contentType: string, body: Readable): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = this.send(this.options("POST", path, { "Content-Type": contentType }), (response) => {
        response.resume();
        if (!body.readableEnded) {
          body.unpipe(request);
          request.destroy();
        }
        resolve(response.statusCode ?? 0);
      });
      request.on("error", (error) => reject(new TransportError(describe(error))));
      body.on("error", (error) => request.destroy(error));
      body.pipe(request);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function describe(error: Error & { code?: string }): string {
  return error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
