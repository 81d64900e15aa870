import { createServer, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { ApiReader, Informer, readLines } from "./informer.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const svc = (name: string, rv: string) => ({ metadata: { name, namespace: "default", resourceVersion: rv } });

/** A fake API server: lists from `state`, and hands each watch to `onWatch`. */
async function fakeApi(onWatch: (res: ServerResponse, rv: string, n: number) => void) {
  const state = { items: [svc("a", "1")], rv: "1", lists: 0, watches: [] as string[] };
  const server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    if (url.searchParams.get("watch") !== "true") {
      state.lists++;
      res.setHeader("Content-Type", "application/json");
      return res.end(JSON.stringify({ items: state.items, metadata: { resourceVersion: state.rv } }));
    }
    const rv = url.searchParams.get("resourceVersion") ?? "";
    state.watches.push(rv);
    res.writeHead(200, { "Content-Type": "application/json" });
    onWatch(res, rv, state.watches.length);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const reader = new ApiReader(new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`), "token");
  cleanup.push(() => reader.close());
  return { state, reader };
}

describe("readLines", () => {
  it("splits a stream into lines across chunk boundaries", async () => {
    const lines: string[] = [];
    async function* chunks() {
      yield Buffer.from('{"a":');
      yield Buffer.from('1}\n{"b"');
      yield ":2}\n\n";
      yield '{"c":3}';
    }
    await readLines(chunks(), (l) => lines.push(l));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});

describe("Informer", () => {
  it("lists, applies watch events, resumes a dropped watch from the last version, and lists again on 410 Gone", async () => {
    const { state, reader } = await fakeApi((res, _rv, n) => {
      if (n === 1) {
        res.write(JSON.stringify({ type: "ADDED", object: svc("b", "2") }) + "\n");
        res.write(JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } }) + "\n");
        res.end(); // a dropped watch
      } else if (n === 2) {
        res.write(JSON.stringify({ type: "DELETED", object: svc("a", "4") }) + "\n");
        res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } }) + "\n");
      } else {
        res.write(JSON.stringify({ type: "MODIFIED", object: svc("c", "9") }) + "\n"); // left open
      }
    });
    let changes = 0;
    const informer = new Informer<ReturnType<typeof svc>>({ reader, path: "/api/v1/services", onChange: () => changes++, log: silentLogger });
    informer.start();
    cleanup.push(() => informer.stop());
    await expect.poll(() => state.watches.length).toBe(3);
    // The second watch resumed from the bookmark; the relist after 410 listed state again.
    expect(state.watches.slice(0, 2)).toEqual(["1", "3"]);
    expect(state.lists).toBe(2);
    await expect.poll(() => [...informer.items.keys()].sort()).toEqual(["default/a", "default/c"]);
    expect(informer.synced).toBe(true);
    expect(changes).toBeGreaterThanOrEqual(4);
  });
});
