import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { ControlPlaneClient } from "./client.js";
import { ConnectionMonitor } from "./connection.js";
import { channelUrl, classifyRefusal, DesiredStateChannel, pongTimeoutMs, runChannelSocket } from "./channel-socket.js";
import { DesiredStateCache, type DesiredStateAnswer } from "./desired-state.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An HTTP server on 127.0.0.1 that answers channel upgrades with `onSocket`, or refuses them with `refuse`. */
async function fakeControlPlane(options: { refuse?: number; onSocket?: (ws: WebSocket, auth?: string) => void; desired?: DesiredStateAnswer }) {
  const polls: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url?.includes("/desired")) {
      polls.push(req.url);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(options.desired ?? { version: "1", unchanged: true, commands: [] }));
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (options.refuse) {
      socket.end(`HTTP/1.1 ${options.refuse} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (m) => {
        if (m.toString() === "ping") ws.send("pong");
      });
      options.onSocket?.(ws, req.headers.authorization);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, polls };
}

describe("channel socket", () => {
  it("builds the channel URL from the server URL, keeping a path prefix", () => {
    expect(channelUrl("https://cp.example:6443", "node a")).toBe("wss://cp.example:6443/kubeflare/v1/nodes/node%20a/channel");
    expect(channelUrl("http://127.0.0.1:8080/base/", "n1")).toBe("ws://127.0.0.1:8080/base/kubeflare/v1/nodes/n1/channel");
  });

  it("falls back on a refused upgrade, but treats gateway errors as the control plane being away", () => {
    expect(classifyRefusal(404)).toEqual({ kind: "refused", status: 404 });
    expect(classifyRefusal(426)).toEqual({ kind: "refused", status: 426 });
    expect(classifyRefusal(503)).toMatchObject({ kind: "unreachable" });
    expect(pongTimeoutMs(30_000)).toBe(70_000);
  });

  it("receives the state on connect and pushes after it, in order, with the bearer token", async () => {
    let auth: string | undefined;
    let server: WebSocket | undefined;
    const cp = await fakeControlPlane({
      onSocket: (ws, a) => {
        auth = a;
        server = ws;
        ws.send(JSON.stringify({ version: "1", unchanged: false, pods: [], commands: [] }));
        ws.send(JSON.stringify({ version: "2", unchanged: false, pods: [{ metadata: { name: "p" } }], commands: [] }));
      },
    });
    const abort = new AbortController();
    const got: string[] = [];
    let opened = 0;
    const ended = runChannelSocket({
      server: cp.url,
      token: "t0k",
      nodeName: "n1",
      signal: abort.signal,
      onOpen: () => opened++,
      onAnswer: async (a) => {
        got.push(a.version);
        if (got.length === 2) server!.close(4000, "replaced");
      },
    });
    expect(await ended).toEqual({ kind: "closed", code: 4000, reason: "replaced" });
    expect(got).toEqual(["1", "2"]);
    expect(opened).toBe(1);
    expect(auth).toBe("Bearer t0k");
  });

  it("reports a refused upgrade with its status, and an unreachable control plane as such", async () => {
    const cp = await fakeControlPlane({ refuse: 404 });
    const base = { token: "t", nodeName: "n", signal: new AbortController().signal, onOpen: () => {}, onAnswer: async () => {} };
    expect(await runChannelSocket({ ...base, server: cp.url })).toEqual({ kind: "refused", status: 404 });
    const gone = await fakeControlPlane({ refuse: 503 });
    expect(await runChannelSocket({ ...base, server: gone.url })).toMatchObject({ kind: "unreachable" });
    expect(await runChannelSocket({ ...base, server: "http://127.0.0.1:1" })).toMatchObject({ kind: "unreachable" });
  });

  it("pings, and gives up a socket whose pongs stopped", async () => {
    let pings = 0;
    const cp = await fakeControlPlane({
      onSocket: (ws) => {
        ws.removeAllListeners("message");
        ws.on("message", () => pings++); // a half-open link: pings go out, nothing comes back
      },
    });
    const result = await runChannelSocket({
      server: cp.url,
      token: "t",
      nodeName: "n",
      signal: new AbortController().signal,
      pingIntervalMs: 30,
      onOpen: () => {},
      onAnswer: async () => {},
    });
    expect(result).toMatchObject({ kind: "closed", code: 1006, reason: expect.stringMatching(/^no pong/) });
    expect(pings).toBeGreaterThanOrEqual(2);
  });
});

describe("desired-state channel", () => {
  it("long-polls when the upgrade is refused, logging it once", async () => {
    const cp = await fakeControlPlane({ refuse: 404, desired: { version: "7", unchanged: false, pods: [], configMaps: [], secrets: [], commands: [] } });
    const dir = await mkdtemp(join(tmpdir(), "kubeflare-channel-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const lines: string[] = [];
    const client = new ControlPlaneClient({ server: cp.url, token: "t" });
    cleanups.push(() => client.close());
    let states = 0;
    const channel = new DesiredStateChannel({
      mode: "websocket",
      server: cp.url,
      token: "t",
      client,
      nodeName: "n",
      cache: new DesiredStateCache(dir),
      monitor: new ConnectionMonitor(cp.url, "n", () => {}),
      log: (l) => lines.push(l),
      onState: () => states++,
      onCommands: () => {},
      pollTimeoutSeconds: 0,
      websocketRetryMs: 50,
    });
    channel.start();
    while (cp.polls.length < 3 || states < 1) await new Promise((r) => setTimeout(r, 20));
    await channel.stop();
    expect(cp.polls[0]).toContain("/kubeflare/v1/nodes/n/desired?version=&timeoutSeconds=0");
    expect(cp.polls.at(-1)).toContain("version=7");
    expect(lines.filter((l) => l.includes("WebSocket upgrade refused (HTTP 404)"))).toHaveLength(1);
  });
});
