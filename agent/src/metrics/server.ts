/**
 * The agent's /metrics listener. Off unless given a token: metrics name pods
 * and namespaces, so even a node-local scrape must authenticate.
 */
import { createServer, type Server } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import { CONTENT_TYPE } from "../../../src/metrics/exposition.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export function startMetricsServer(opts: { address: string; port: number; token: string; render: () => string }): Promise<MetricsServer> {
  const expected = digest(opts.token);
  const server: Server = createServer((req, res) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="kubeflare-agent"' }).end("Unauthorized\n");
      return;
    }
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": CONTENT_TYPE }).end(opts.render());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.address, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
