/**
 * One proxied HTTP exchange: the request's headers cleaned of hop-by-hop
 * fields and given X-Forwarded-*, sent over a connection from the
 * BackendDialer, the answer streamed back. Upgrades (websockets) become a
 * byte pipe once the backend has the request.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";

/** Connection-scoped headers (RFC 9110 §7.6.1), never passed through a proxy. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

export interface ForwardedFor {
  clientIP: string;
  /** "http" or "https": what the client spoke to the proxy. */
  proto: string;
  /** The port the client connected to. */
  port: number;
}

/** Headers for the backend: end-to-end ones as received, plus the X-Forwarded family. */
export function backendHeaders(req: IncomingMessage, forwarded: ForwardedFor, keepUpgrade: boolean): [string, string][] {
  const named = new Set(
    String(req.headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ""),
  );
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const lower = name.toLowerCase();
    if (lower.startsWith("x-forwarded-") || lower === "x-real-ip") continue;
    if ((HOP_BY_HOP.has(lower) || named.has(lower)) && !(keepUpgrade && lower === "upgrade")) continue;
    headers.push([name, req.rawHeaders[i + 1]]);
  }
  const previous = req.headers["x-forwarded-for"];
  const chain = [...(Array.isArray(previous) ? previous : previous ? [previous] : []), forwarded.clientIP].join(", ");
  headers.push(
    ["X-Forwarded-For", chain],
    ["X-Forwarded-Proto", forwarded.proto],
    ["X-Forwarded-Host", req.headers.host ?? ""],
    ["X-Forwarded-Port", String(forwarded.port)],
    ["X-Real-IP", forwarded.clientIP],
  );
  if (keepUpgrade) headers.push(["Connection", "Upgrade"]);
  return headers;
}

function responseHeaders(upstream: IncomingMessage): string[] {
  const named = new Set(String(upstream.headers.connection ?? "").split(",").map((name) => name.trim().toLowerCase()));
  const flat: string[] = [];
  for (let i = 0; i < upstream.rawHeaders.length; i += 2) {
    const lower = upstream.rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    flat.push(upstream.rawHeaders[i], upstream.rawHeaders[i + 1]);
  }
  return flat;
}

/** Sends `req` over `socket` and streams the answer into `res`; a backend failure before the answer is a 502. */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, socket: Socket, forwarded: ForwardedFor) {
  const outgoing = httpRequest({
    method: req.method,
    path: req.url,
    headers: headersObject(backendHeaders(req, forwarded, false)),
    // One backend connection per request: the dialer already balanced it, and
    // an idle pooled connection could outlive the endpoint it was made to.
    createConnection: () => socket,
  });
  outgoing.on("response", (upstream) => {
    res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, responseHeaders(upstream));
    upstream.pipe(res);
    upstream.on("error", () => res.destroy());
  });
  outgoing.on("error", (error) => {
    if (res.headersSent) res.destroy();
    else plainResponse(res, 502, `backend connection failed: ${error.message}`);
  });
  res.on("close", () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
}

/** Whether this is the last exchange on the client's connection and carries no request body: what relayClosingExchange takes. */
export function isClosingAndBodiless(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] ?? "0") !== "0") return false;
  const tokens = String(req.headers.connection ?? "")
    .toLowerCase()
    .split(",")
    .map((token) => token.trim());
  return req.httpVersion === "1.0" ? !tokens.includes("keep-alive") : tokens.includes("close");
}

/**
 * An exchange after which the client's connection closes anyway: the answer
 * needs no re-framing, so the backend is asked to close as well and its bytes
 * are relayed as they come, unparsed, until it does. This saves parsing and
 * re-serialising every answer (about a third of the proxy's work per
 * request). A backend that closes or fails before answering gets the client
 * a 502, as in forwardRequest.
 */
export function relayClosingExchange(req: IncomingMessage, res: ServerResponse, backend: Socket, forwarded: ForwardedFor) {
  const client = req.socket;
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (const [name, value] of backendHeaders(req, forwarded, false)) lines.push(`${name}: ${value}`);
  lines.push("Connection: close");
  // Header bytes were read as latin1; written back the same way they reach the backend unchanged.
  backend.write(Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"));
  let answered = false;
  const fail = (message: string) => {
    backend.destroy();
    if (!answered && !res.headersSent && !client.destroyed) plainResponse(res, 502, `backend connection failed: ${message}`);
    else client.destroy();
  };
  backend.on("data", (chunk: Buffer) => {
    answered = true;
    if (!client.write(chunk)) {
      backend.pause();
      client.once("drain", () => backend.resume());
    }
  });
  backend.on("end", () => (answered ? client.end() : fail("closed without an answer")));
  backend.on("error", (error) => fail(error.message));
  client.once("close", () => backend.destroy());
  backend.resume();
}

/** Header tuples as an object whose repeated names become arrays, the form http.request takes. */
function headersObject(headers: [string, string][]): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of headers) {
    const existing = result[name];
    result[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/**
 * An Upgrade request: written to the backend as is (with X-Forwarded-*), then
 * the two sockets are piped; the backend's 101 (or refusal) reaches the
 * client through the same pipe.
 */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, backend: Socket, forwarded: ForwardedFor) {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (const [name, value] of backendHeaders(req, forwarded, true)) lines.push(`${name}: ${value}`);
  backend.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length > 0) backend.write(head);
  const close = () => {
    client.destroy();
    backend.destroy();
  };
  backend.on("error", close);
  client.on("error", close);
  backend.on("close", close);
  client.on("close", close);
  backend.pipe(client);
  client.pipe(backend);
}

export function plainResponse(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) + 1 });
  res.end(`${body}\n`);
}

export function rawResponse(client: Duplex, status: number, reason: string, body: string) {
  client.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body) + 1}\r\nConnection: close\r\n\r\n${body}\n`,
  );
}
