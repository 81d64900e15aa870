import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ListenerSet, listenKey } from "./listeners.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function occupy(): Promise<{ port: number; release(): Promise<void> }> {
  const server: Server = createServer((s) => s.end("other agent\n"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  let released = false;
  const release = () => (released ? Promise.resolve() : ((released = true), new Promise<void>((r) => server.close(() => r()))));
  cleanup.push(release);
  return { port: (server.address() as { port: number }).port, release };
}

function reply(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("end", () => {
      socket.destroy();
      resolve(text);
    });
    socket.on("error", (e: Error & { code?: string }) => resolve(e.code ?? e.message));
  });
}

describe("ListenerSet", () => {
  it("says once that a port is held elsewhere, and takes it over when it is released", async () => {
    const log: string[] = [];
    const other = await occupy();
    const set = new ListenerSet((line) => log.push(line));
    cleanup.push(async () => set.close());
    const wanted = new Map([[listenKey("127.0.0.1", other.port), { host: "127.0.0.1", port: other.port, handle: (s: import("node:net").Socket) => s.end("ours\n") }]]);
    set.sync(wanted);
    await expect.poll(() => log.length).toBe(1);
    set.retry();
    set.retry();
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/in use/);
    expect(await reply(other.port)).toBe("other agent\n");

    await other.release();
    set.retry();
    await expect.poll(() => set.bound()).toEqual([`127.0.0.1:${other.port}`]);
    expect(await reply(other.port)).toBe("ours\n");
    expect(log[1]).toMatch(/now listening/);
  });

  it("closes listeners that are no longer wanted, so new connections are refused", async () => {
    const { port, release } = await occupy();
    await release();
    const set = new ListenerSet(() => {});
    cleanup.push(async () => set.close());
    set.sync(new Map([[listenKey("127.0.0.1", port), { host: "127.0.0.1", port, handle: (s: import("node:net").Socket) => s.end("ours\n") }]]));
    await expect.poll(() => set.bound().length).toBe(1);
    set.sync(new Map());
    expect(set.bound()).toEqual([]);
    await expect.poll(() => reply(port)).toBe("ECONNREFUSED");
  });
});
