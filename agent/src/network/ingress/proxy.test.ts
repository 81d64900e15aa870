import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, Agent, type IncomingMessage, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Secret } from "../../../../src/schema/core.js";
import { FakeNetworkView } from "../dns/fake-view.js";
import type { BackendDialer } from "../view.js";
import { ingress, path, rule } from "./ingress-fixtures.js";
import { startIngressProxy, type IngressProxy } from "./proxy.js";

/** An HTTP server that answers with what it received, as JSON, and echoes bytes after an Upgrade. */
async function echoBackend(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers, bodyLength: Buffer.concat(chunks).length });
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.end(body);
    });
  });
  server.on("upgrade", (req, socket: Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nX-Seen-Forwarded-For: ${req.headers["x-forwarded-for"]}\r\n\r\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return server;
}

/** A dialer to local backends by Service name; `missing`, `empty` and `stuck` behave as a catalog would for those cases. */
function fakeDialer(ports: Map<string, number>, dialed: string[]): BackendDialer {
  return {
    dial(namespace, name, port, clientIP) {
      dialed.push(`${namespace}/${name}:${port} from ${clientIP}`);
      if (name === "stuck") return new Promise(() => {});
      if (name === "missing") return Promise.reject(Object.assign(new Error("no service"), { code: "NO_SERVICE" }));
      if (name === "empty") return Promise.reject(Object.assign(new Error("no endpoints"), { code: "NO_ENDPOINTS" }));
      const target = ports.get(`${namespace}/${name}`);
      if (target === undefined) return Promise.reject(Object.assign(new Error("no service"), { code: "NO_SERVICE" }));
      return new Promise((done, fail) => {
        const socket = connect({ host: "127.0.0.1", port: target }, () => done(socket));
        socket.once("error", fail);
      });
    },
  };
}

interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
  reused: boolean;
  peer?: string;
}

function send(port: number, options: { host: string; path?: string; method?: string; body?: Buffer; agent?: Agent; https?: { ca: Buffer } }): Promise<Reply> {
  return new Promise((done, fail) => {
    const common = {
      host: "127.0.0.1",
      port,
      path: options.path ?? "/",
      method: options.method ?? "GET",
      headers: { host: options.host, ...(options.body ? { "content-length": options.body.length } : {}) },
    };
    const req = options.https
      ? httpsRequest({ ...common, servername: options.host.split(":")[0], ca: options.https.ca, agent: false })
      : request({ ...common, agent: options.agent ?? false });
    req.on("response", (res) => {
      const peer = options.https ? String((res.socket as TLSSocket).getPeerCertificate().subject?.CN) : undefined;
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), reused: req.reusedSocket, peer }));
    });
    req.on("error", fail);
    req.end(options.body);
  });
}

function certificate(dir: string, name: string, hosts: string[]): { cert: Buffer; key: Buffer } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync("openssl", [
    "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-days", "2",
    "-subj", `/CN=${name}`, "-addext", `subjectAltName=${hosts.map((host) => `DNS:${host}`).join(",")}`,
    "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

function tlsSecret(namespace: string, name: string, pair: { cert: Buffer; key: Buffer }): Secret {
  return {
    metadata: { namespace, name },
    type: "kubernetes.io/tls",
    data: { "tls.crt": pair.cert.toString("base64"), "tls.key": pair.key.toString("base64") },
  };
}

describe("Ingress proxy", () => {
  const backends: Server[] = [];
  const dialed: string[] = [];
  const ports = new Map<string, number>();
  let dir: string;
  let certs: Record<string, { cert: Buffer; key: Buffer }>;
  let view: FakeNetworkView;
  let proxy: IngressProxy;

  beforeAll(async () => {
    for (const name of ["front", "api", "blog"]) {
      const server = await echoBackend(name);
      backends.push(server);
      ports.set(`shop/${name}`, (server.address() as AddressInfo).port);
    }
    dir = mkdtempSync(join(tmpdir(), "ingress-tls-"));
    certs = {
      shop: certificate(dir, "shop-cert", ["shop.example.com"]),
      blog: certificate(dir, "blog-cert", ["*.blog.test"]),
      renewed: certificate(dir, "shop-renewed", ["shop.example.com"]),
    };
    view = new FakeNetworkView({
      ingresses: [
        ingress("shop", "main", "2024-01-01T00:00:00Z", {
          tls: [
            { hosts: ["shop.example.com"], secretName: "shop-tls" },
            { hosts: ["*.blog.test"], secretName: "blog-tls" },
          ],
          rules: [
            rule(
              "shop.example.com",
              path("Prefix", "/", "front"),
              path("Prefix", "/api", "api", "http"),
              path("Prefix", "/gone", "missing"),
              path("Prefix", "/empty", "empty"),
              path("Prefix", "/slow", "stuck"),
            ),
            rule("*.blog.test", path("Prefix", "/", "blog")),
          ],
        }),
      ],
      secrets: [tlsSecret("shop", "shop-tls", certs.shop), tlsSecret("shop", "blog-tls", certs.blog)],
    });
    proxy = await startIngressProxy({
      view,
      dialer: fakeDialer(ports, dialed),
      http: { address: "127.0.0.1", port: 0 },
      https: { address: "127.0.0.1", port: 0 },
      log: () => {},
      connectTimeoutMs: 300,
    });
  });

  afterAll(async () => {
    await proxy?.close();
    for (const server of backends) server.closeAllConnections(), server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("routes by host and path to the Service's backend, with X-Forwarded headers", async () => {
    const reply = await send(proxy.http!.port, { host: "shop.example.com", path: "/api/items?x=1" });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body);
    expect(seen).toMatchObject({ backend: "api", method: "GET", url: "/api/items?x=1" });
    expect(seen.headers).toMatchObject({
      host: "shop.example.com",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "shop.example.com",
      "x-forwarded-port": String(proxy.http!.port),
    });
    expect(reply.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(dialed).toContain("shop/api:http from 127.0.0.1");
  });

  it("streams request bodies to the backend", async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const reply = await send(proxy.http!.port, { host: "shop.example.com", path: "/upload", method: "POST", body });
    expect(JSON.parse(reply.body)).toMatchObject({ backend: "front", method: "POST", bodyLength: body.length });
  });

  it("keeps client connections alive across requests", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(proxy.http!.port, { host: "shop.example.com", path: "/a", agent });
      const second = await send(proxy.http!.port, { host: "x.blog.test", path: "/b", agent });
      expect(JSON.parse(first.body).backend).toBe("front");
      expect(JSON.parse(second.body).backend).toBe("blog");
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it("answers 404 without a matching rule, and 503 for a missing Service, no endpoints or a connect timeout", async () => {
    const none = await send(proxy.http!.port, { host: "unknown.test" });
    expect(none.status).toBe(404);
    for (const target of ["/gone", "/empty", "/slow"]) {
      const reply = await send(proxy.http!.port, { host: "shop.example.com", path: target });
      expect(reply.status, target).toBe(503);
      expect(reply.body).toMatch(/503 Service Unavailable/);
    }
  });

  it("passes Upgrade requests through as a byte stream", async () => {
    const socket = await new Promise<Socket>((done, fail) => {
      const req = request({
        host: "127.0.0.1",
        port: proxy.http!.port,
        path: "/ws",
        headers: { host: "shop.example.com", connection: "Upgrade", upgrade: "echo" },
      });
      req.on("upgrade", (res, upgraded: Socket) => {
        expect(res.statusCode).toBe(101);
        expect(res.headers["x-seen-forwarded-for"]).toBe("127.0.0.1");
        done(upgraded);
      });
      req.on("error", fail);
      req.end();
    });
    const echoed = await new Promise<string>((done) => {
      socket.once("data", (chunk) => done(chunk.toString()));
      socket.write("ping");
    });
    socket.destroy();
    expect(echoed).toBe("ping");
  });

  it("terminates TLS with the certificate chosen by SNI, exact and wildcard", async () => {
    const shop = await send(proxy.https!.port, { host: "shop.example.com", path: "/api", https: { ca: certs.shop.cert } });
    expect(shop.peer).toBe("shop-cert");
    expect(JSON.parse(shop.body)).toMatchObject({ backend: "api", headers: { "x-forwarded-proto": "https" } });
    const blog = await send(proxy.https!.port, { host: "news.blog.test", https: { ca: certs.blog.cert } });
    expect(blog.peer).toBe("blog-cert");
    expect(JSON.parse(blog.body).backend).toBe("blog");
  });

  it("serves a renewed certificate once its Secret changes", async () => {
    view.update({ secrets: [tlsSecret("shop", "shop-tls", certs.renewed), tlsSecret("shop", "blog-tls", certs.blog)] });
    const reply = await send(proxy.https!.port, { host: "shop.example.com", https: { ca: certs.renewed.cert } });
    expect(reply.peer).toBe("shop-renewed");
  });

  it("gives clients without SNI the oldest Ingress's certificate, reloaded too", async () => {
    const peer = await new Promise<string | undefined>((done, fail) => {
      const req = httpsRequest({ host: "127.0.0.1", port: proxy.https!.port, headers: { host: "shop.example.com" }, rejectUnauthorized: false, agent: false });
      req.on("response", (res) => {
        done(String((res.socket as TLSSocket).getPeerCertificate().subject?.CN));
        res.resume();
      });
      req.on("error", fail);
      req.end();
    });
    expect(peer).toBe("shop-renewed");
  });

  it("follows Ingress changes", async () => {
    view.update({ ingresses: [ingress("shop", "only", "2024-01-01T00:00:00Z", { rules: [rule("new.test", path("Exact", "/x", "blog"))] })] });
    expect((await send(proxy.http!.port, { host: "new.test", path: "/x" })).status).toBe(200);
    expect((await send(proxy.http!.port, { host: "shop.example.com", path: "/" })).status).toBe(404);
  });
});
