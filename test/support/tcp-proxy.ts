/**
 * A TCP proxy on 127.0.0.1 in front of the control plane, so a test can cut
 * one agent's link without touching the control plane or other clients.
 * TLS passes through untouched (the certificate names 127.0.0.1, whatever
 * the port). cut() destroys every live connection and refuses new ones until
 * restore(), as a pulled cable or a dropped VPN would look to the agent.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** https://127.0.0.1:<port>: the control plane as seen through the proxy. */
  url: string;
  /** Connections accepted (and piped) so far. */
  accepted(): number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let linked = true;
  let accepted = 0;

  const server: Server = createServer((client) => {
    if (!linked) {
      // Refused rather than left hanging: the agent should see the outage at once, as with a closed port.
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.on("close", () => live.delete(socket));
      // A reset on one side ends the pair; the error itself is expected during a cut.
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("tcp proxy has no port");

  const dropAll = () => {
    for (const socket of live) socket.resetAndDestroy();
    live.clear();
  };
  return {
    port: address.port,
    url: `https://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    cut() {
      linked = false;
      dropAll();
    },
    restore() {
      linked = true;
    },
    close() {
      linked = false;
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
