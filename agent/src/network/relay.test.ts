import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { dialThroughRelay, encodePreamble, MAX_LINE_BYTES, NodeRelay, parseAnswer, parsePreamble } from "./relay.js";

describe("relay preamble", () => {
  it("round-trips and keeps the bytes that follow it", () => {
    const parsed = parsePreamble(Buffer.concat([encodePreamble("172.17.0.5", 8080), Buffer.from("GET / HTTP/1.1\r\n")]));
    expect(parsed).toMatchObject({ kind: "ok", ip: "172.17.0.5", port: 8080 });
    expect(parsed.kind === "ok" && parsed.rest.toString()).toBe("GET / HTTP/1.1\r\n");
    expect(parsePreamble(encodePreamble("fd00::5", 80))).toMatchObject({ kind: "ok", ip: "fd00::5", port: 80 });
  });

  it("waits for a whole line", () => {
    expect(parsePreamble(Buffer.from("KFRELAY1 172.17"))).toEqual({ kind: "incomplete" });
  });

  it("refuses what is not a preamble", () => {
    for (const text of ["GET / HTTP/1.1\n", "KFRELAY1 example.com 80\n", "KFRELAY1 10.0.0.1 0\n", "KFRELAY1 10.0.0.1 65536\n", "KFRELAY1 10.0.0.1 80 x\n", "KFRELAY1 10.0.0.1 8a\n"]) {
      expect(parsePreamble(Buffer.from(text)).kind, text).toBe("invalid");
    }
    expect(parsePreamble(Buffer.alloc(MAX_LINE_BYTES, 0x41)).kind).toBe("invalid");
  });

  it("parses the relay's answers", () => {
    const ok = parseAnswer(Buffer.from("OK\nHTTP"));
    expect(ok.kind === "ok" && [ok.error, ok.rest.toString()]).toEqual([undefined, "HTTP"]);
    expect(parseAnswer(Buffer.from("ERR ECONNREFUSED\n"))).toMatchObject({ kind: "ok", error: "ECONNREFUSED" });
    expect(parseAnswer(Buffer.from("O"))).toEqual({ kind: "incomplete" });
    expect(parseAnswer(Buffer.from("HTTP/1.1 200 OK\n")).kind).toBe("invalid");
  });
});

describe("NodeRelay over real sockets", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function echoServer(greeting = ""): Promise<number> {
    const server: Server = createServer((socket) => {
      if (greeting) socket.write(greeting);
      socket.pipe(socket);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    return (server.address() as { port: number }).port;
  }

  async function relay(allow: (ip: string, port: number) => boolean): Promise<number> {
    const r = new NodeRelay({ host: "127.0.0.1", port: 0, allowTarget: allow, log: silentLogger });
    const port = await r.start();
    cleanup.push(() => r.stop());
    return port;
  }

  it("connects to an allowed pod and carries bytes both ways, including what the pod says first", async () => {
    const pod = await echoServer("hello\n");
    const relayPort = await relay((ip, port) => ip === "127.0.0.1" && port === pod);
    const socket = await dialThroughRelay("127.0.0.1", relayPort, "127.0.0.1", pod);
    cleanup.push(() => void socket.destroy());
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    socket.resume();
    socket.write("ping\n");
    await expect.poll(() => Buffer.concat(received).toString()).toBe("hello\nping\n");
  });

  it("refuses a target that is not a pod endpoint on this node", async () => {
    const pod = await echoServer();
    const relayPort = await relay(() => false);
    await expect(dialThroughRelay("127.0.0.1", relayPort, "127.0.0.1", pod)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("passes a refused pod connection back as a refusal", async () => {
    const closed = await echoServer();
    cleanup.pop()!(); // close it again: nothing listens on that port now
    const relayPort = await relay(() => true);
    await expect(dialThroughRelay("127.0.0.1", relayPort, "127.0.0.1", closed)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
