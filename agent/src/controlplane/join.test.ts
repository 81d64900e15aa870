import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { CREDENTIAL_FILE, JoinError, joinFailure, readCredential, resolveToken, writeCredential, type StoredCredential } from "./join.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-join-"));
});

const stored = (over: Partial<StoredCredential> = {}): StoredCredential => ({
  server: "https://cp.example:8787",
  nodeName: "n1",
  id: "abc123",
  token: "abc123.0123456789abcdef",
  joinedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("the stored credential", () => {
  it("is written for the owner only and read back", async () => {
    const path = await writeCredential(join(dir, "state"), stored());
    expect(path).toBe(join(dir, "state", CREDENTIAL_FILE));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
    expect(await readCredential(join(dir, "state"))).toEqual(stored());
  });

  it("is absent when never written, and a damaged file is reported rather than replaced", async () => {
    expect(await readCredential(dir)).toBeUndefined();
    await writeFile(join(dir, CREDENTIAL_FILE), "{not json");
    await expect(readCredential(dir)).rejects.toThrow(JoinError);
  });
});

describe("resolveToken for run", () => {
  it("uses --token when given", async () => {
    const r = await resolveToken("run", { server: "https://cp.example:8787", token: "admin", nodeName: "n9", stateDir: dir }, silentLogger);
    expect(r).toMatchObject({ token: "admin", nodeName: "n9", stateDir: dir });
  });

  it("uses the stored credential, and its node name when --name is left out", async () => {
    await writeCredential(dir, stored());
    const r = await resolveToken("run", { server: "https://cp.example:8787/", stateDir: dir }, silentLogger);
    expect(r).toMatchObject({ token: stored().token, nodeName: "n1", stateDir: dir });
  });

  it("refuses a credential of another node or another server, and says what to do without one", async () => {
    await writeCredential(dir, stored());
    await expect(resolveToken("run", { server: "https://cp.example:8787", nodeName: "n2", stateDir: dir }, silentLogger)).rejects.toThrow(
      /holds the credential of node "n1", not "n2"/,
    );
    await expect(resolveToken("run", { server: "https://elsewhere.example", stateDir: dir }, silentLogger)).rejects.toThrow(/never sent elsewhere/);
    const empty = await mkdtemp(join(tmpdir(), "agent-join-empty-"));
    await expect(resolveToken("run", { server: "https://cp.example:8787", nodeName: "n1", stateDir: empty }, silentLogger)).rejects.toThrow(/join first/);
  });
});

describe("resolveToken for join", () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown };
  let seen: { authorization?: string; body: any }[];

  beforeEach(async () => {
    seen = [];
    server = createServer(async (req: IncomingMessage, res) => {
      let text = "";
      for await (const chunk of req) text += chunk;
      seen.push({ authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  it("trades the join token for a node credential and stores it", async () => {
    answer = { status: 201, body: { kind: "NodeCredential", id: "cred01", token: "cred01.aaaaaaaaaaaaaaaa", nodeName: "edge-1" } };
    const lines: string[] = [];
    const r = await resolveToken("join", { server: url, token: "join01.bbbbbbbbbbbbbbbb", nodeName: "edge-1", stateDir: dir }, (l) => lines.push(l));
    expect(seen).toEqual([{ authorization: "Bearer join01.bbbbbbbbbbbbbbbb", body: { nodeName: "edge-1" } }]);
    expect(r).toMatchObject({ token: "cred01.aaaaaaaaaaaaaaaa", nodeName: "edge-1", stateDir: dir });
    const file = JSON.parse(await readFile(join(dir, CREDENTIAL_FILE), "utf8"));
    expect(file).toMatchObject({ server: url, nodeName: "edge-1", id: "cred01", token: "cred01.aaaaaaaaaaaaaaaa" });
    expect(JSON.stringify(file)).not.toContain("bbbbbbbbbbbbbbbb");
    expect(lines.join("\n")).toContain("joined as node edge-1");
    expect(lines.join("\n")).not.toContain("aaaaaaaaaaaaaaaa");

    // Joined already: the same command starts the agent again without spending anything.
    const again = await resolveToken("join", { server: url, token: "join01.bbbbbbbbbbbbbbbb", nodeName: "edge-1", stateDir: dir }, silentLogger);
    expect(again.token).toBe("cred01.aaaaaaaaaaaaaaaa");
    expect(seen).toHaveLength(1);
  });

  it("fails with one clear line when the token is refused or the name is taken, storing nothing", async () => {
    answer = { status: 401, body: { kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" } };
    const refused = resolveToken("join", { server: url, token: "join01.bbbbbbbbbbbbbbbb", nodeName: "edge-2", stateDir: dir }, silentLogger);
    await expect(refused).rejects.toThrow(JoinError);
    await expect(refused).rejects.toThrow(/^join failed: the join token was refused \(unknown, expired, revoked or already used up\)/);
    answer = { status: 409, body: { kind: "Status", code: 409, reason: "Conflict", message: "already joined" } };
    await expect(resolveToken("join", { server: url, token: "join01.bbbbbbbbbbbbbbbb", nodeName: "edge-2", stateDir: dir }, silentLogger)).rejects.toThrow(
      /node "edge-2" has already joined/,
    );
    expect(await readCredential(dir)).toBeUndefined();
  });

  it("says so when the control plane cannot be reached", async () => {
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((r) => server.close(() => r()));
    server.listen(0, "127.0.0.1"); // afterEach closes this one
    await expect(resolveToken("join", { server: closed, token: "join01.bbbbbbbbbbbbbbbb", nodeName: "edge-3", stateDir: dir }, silentLogger)).rejects.toThrow(
      /cannot reach the control plane/,
    );
  });
});

describe("joinFailure", () => {
  it("passes other answers on with their Status message, on one line", () => {
    expect(joinFailure(422, { message: 'NodeCredential "X" is invalid' }, "X")).toBe('the control plane answered HTTP 422: NodeCredential "X" is invalid');
    expect(joinFailure(500, "oops", "n")).toBe("the control plane answered HTTP 500");
  });
});
