import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isClosingAndBodiless, relayClosingExchange } from "./forward.js";

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** A raw TCP backend: records the request head it got, then runs `answer`. */
async function rawBackend(answer: (socket: Socket) => void): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const server = createServer((socket) => {
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      heads.push(text);
      answer(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, heads };
}

/** A front proxy that relays every request to `backendPort` through relayClosingExchange. */
async function front(backendPort: number): Promise<number> {
  const server: Server = createHttpServer((req, res) => {
    const backend = connect({ host: "127.0.0.1", port: backendPort }, () => relayClosingExchange(req, res, backend, { clientIP: "203.0.113.9", proto: "http", port: 80 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => (server.closeAllConnections(), server.close()));
  return (server.address() as AddressInfo).port;
}

/** Sends `request` on a raw connection and returns everything received until the proxy closes it. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(request));
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("close", () => resolve(text));
    socket.on("error", () => {});
  });
}

describe("relayClosingExchange", () => {
  it("sends the backend the cleaned head with X-Forwarded-*, asks it to close, and relays its answer byte for byte", async () => {
    const answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Backend: é\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    const backend = await rawBackend((socket) => socket.end(Buffer.from(answer, "latin1")));
    const port = await front(backend.port);
    const reply = await exchange(port, "GET /path?q=1 HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\nX-Forwarded-For: 198.51.100.1\r\n\r\n");
    expect(reply).toBe(answer);
    const head = backend.heads[0];
    expect(head.startsWith("GET /path?q=1 HTTP/1.1\r\n")).toBe(true);
    expect(head).toContain("Host: shop.test\r\n");
    expect(head).toContain("X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n");
    expect(head).toContain("X-Forwarded-Host: shop.test\r\n");
    expect(head).toContain("Connection: close\r\n");
    expect(head.match(/^Connection:/gim)).toHaveLength(1);
  });

  it("answers 502 when the backend closes without answering", async () => {
    const backend = await rawBackend((socket) => socket.end());
    const port = await front(backend.port);
    const reply = await exchange(port, "GET / HTTP/1.0\r\nHost: shop.test\r\n\r\n");
    expect(reply).toMatch(/^HTTP\/1\.[01] 502 /);
    expect(reply).toContain("closed without an answer");
  });
});

describe("isClosingAndBodiless", () => {
  const req = (httpVersion: string, headers: Record<string, string>) => ({ httpVersion, headers }) as unknown as IncomingMessage;
  it("takes the last bodiless exchange of a connection, and nothing that keeps it or carries a body", () => {
    expect(isClosingAndBodiless(req("1.1", { connection: "close" }))).toBe(true);
    expect(isClosingAndBodiless(req("1.1", { connection: "Upgrade, Close" }))).toBe(true);
    expect(isClosingAndBodiless(req("1.0", {}))).toBe(true);
    expect(isClosingAndBodiless(req("1.1", {}))).toBe(false);
    expect(isClosingAndBodiless(req("1.0", { connection: "keep-alive" }))).toBe(false);
    expect(isClosingAndBodiless(req("1.1", { connection: "close", "content-length": "3" }))).toBe(false);
    expect(isClosingAndBodiless(req("1.1", { connection: "close", "transfer-encoding": "chunked" }))).toBe(false);
    expect(isClosingAndBodiless(req("1.1", { connection: "close", "content-length": "0" }))).toBe(true);
  });
});
