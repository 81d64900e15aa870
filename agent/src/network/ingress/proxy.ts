/**
 * The node's Ingress controller: an HTTP (and optionally HTTPS) reverse
 * proxy routing by Host and path through every Ingress the NetworkView
 * serves, to Service endpoints reached through the BackendDialer. No rule →
 * 404; no Service or no ready endpoint → 503, after at most the connect
 * timeout.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../../log.js";
import type { BackendDialer, NetworkView } from "../view.js";
import { IngressCertificates, type KeyPair } from "./certificates.js";
import { forwardRequest, forwardUpgrade, isClosingAndBodiless, plainResponse, rawResponse, relayClosingExchange, type ForwardedFor } from "./forward.js";
import { buildRouteTable, type IngressRoute, type RouteTable } from "./routes.js";

export interface Listen {
  address: string;
  port: number;
}

export interface IngressProxyOptions {
  view: NetworkView;
  dialer: BackendDialer;
  http?: Listen;
  https?: Listen;
  log: Logger;
  /** How long a backend connection may take before the client gets a 503. */
  connectTimeoutMs?: number;
}

export interface IngressProxy {
  /** Bound addresses (port 0 resolved), for the listeners that were asked for. */
  http?: AddressInfo;
  https?: AddressInfo;
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

type Outcome = { socket: Socket } | { status: number; reason: string; message: string };

export async function startIngressProxy(options: IngressProxyOptions): Promise<IngressProxy> {
  const { view, dialer, log } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let table: RouteTable | undefined;
  const routes = () => (table ??= buildRouteTable(view.ingresses()));
  const certificates = new IngressCertificates(view, log);
  const servers: Server[] = [];
  let httpsServer: ReturnType<typeof createHttpsServer> | undefined;
  let servedFallback: KeyPair | undefined;

  // Without SNI a client gets the server's own context, so it follows the fallback certificate.
  const refreshFallback = () => {
    const fallback = certificates.fallback();
    if (!httpsServer || !fallback || fallback === servedFallback) return;
    try {
      httpsServer.setSecureContext({ cert: fallback.cert, key: fallback.key });
      servedFallback = fallback;
    } catch (error) {
      log(`ingress: default certificate rejected: ${(error as Error).message}`);
    }
  };
  const unsubscribe = view.onChange(() => {
    table = undefined;
    certificates.invalidate();
    refreshFallback();
  });

  const connect = async (req: IncomingMessage, clientIP: string): Promise<Outcome | undefined> => {
    const route = routes().match(req.headers.host ?? "", requestPath(req.url ?? "/"));
    if (!route) return undefined;
    return dialWithTimeout(dialer, route, clientIP, connectTimeoutMs);
  };

  const handle = (proto: string) => async (req: IncomingMessage, res: ServerResponse) => {
    const forwarded = forwardedFor(req.socket, proto);
    try {
      const outcome = await connect(req, forwarded.clientIP);
      if (!outcome) return plainResponse(res, 404, "404 page not found: no Ingress rule matches this host and path");
      if ("status" in outcome) return plainResponse(res, outcome.status, outcome.message);
      if (res.destroyed) return outcome.socket.destroy();
      if (isClosingAndBodiless(req)) relayClosingExchange(req, res, outcome.socket, forwarded);
      else forwardRequest(req, res, outcome.socket, forwarded);
    } catch (error) {
      log(`ingress: ${(error as Error).message}`);
      if (!res.headersSent) plainResponse(res, 502, "bad gateway");
      else res.destroy();
    }
  };

  const upgrade = (proto: string) => async (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const forwarded = forwardedFor(req.socket, proto);
    client.on("error", () => client.destroy());
    try {
      const outcome = await connect(req, forwarded.clientIP);
      if (!outcome) return rawResponse(client, 404, "Not Found", "404 page not found");
      if ("status" in outcome) return rawResponse(client, outcome.status, outcome.reason, outcome.message);
      if (client.destroyed) return outcome.socket.destroy();
      forwardUpgrade(req, client, head, outcome.socket, forwarded);
    } catch (error) {
      log(`ingress: ${(error as Error).message}`);
      client.destroy();
    }
  };

  const result: IngressProxy = {
    close: async () => {
      unsubscribe();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
  try {
    if (options.http) {
      const server = createHttpServer(handle("http"));
      server.on("upgrade", upgrade("http"));
      servers.push(server);
      result.http = await listen(server, options.http);
    }
    if (options.https) {
      httpsServer = createHttpsServer({
        SNICallback: (serverName, done) => done(null, certificates.contextFor(serverName)),
      });
      httpsServer.on("request", handle("https"));
      httpsServer.on("upgrade", upgrade("https"));
      servers.push(httpsServer);
      refreshFallback();
      result.https = await listen(httpsServer, options.https);
    }
  } catch (error) {
    await result.close();
    throw error;
  }
  for (const server of servers) server.on("clientError", (_error, socket) => socket.destroy());
  return result;
}

function listen(server: Server, where: Listen): Promise<AddressInfo> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(where.port, where.address, () => {
      server.off("error", fail);
      done(server.address() as AddressInfo);
    });
  });
}

/** The path of a request target; absolute-form targets ("http://host/path") are reduced to their path. */
function requestPath(target: string): string {
  if (target.startsWith("/")) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return "/";
  }
}

function forwardedFor(socket: Socket, proto: string): ForwardedFor {
  return { clientIP: (socket.remoteAddress ?? "").replace(/^::ffff:/, ""), proto, port: socket.localPort ?? 0 };
}

/** Dials a route's Service, mapping the dialer's refusals and a slow connect to 503s. */
async function dialWithTimeout(dialer: BackendDialer, route: IngressRoute, clientIP: string, timeoutMs: number): Promise<Outcome> {
  const target = `${route.namespace}/${route.service}:${route.port}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = dialer.dial(route.namespace, route.service, route.port, clientIP);
  const timeout = new Promise<"timeout">((done) => {
    timer = setTimeout(() => done("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([attempt, timeout]);
    if (outcome === "timeout") {
      // A connection that arrives after the client was answered is not leaked.
      attempt.then((socket) => socket.destroy(), () => {});
      return unavailable(`service ${target}: no connection to a backend within ${timeoutMs} ms`);
    }
    return { socket: outcome };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "NO_SERVICE") return unavailable(`service ${target} not found`);
    if (code === "NO_ENDPOINTS") return unavailable(`service ${target} has no ready endpoints`);
    return unavailable(`service ${target}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(message: string): Outcome {
  return { status: 503, reason: "Service Unavailable", message: `503 Service Unavailable: ${message}` };
}
