import { describe, expect, it } from "vitest";
import type { Env } from "../env.js";
import { DEFAULT_BURST, DEFAULT_QPS, limitsFor, longRunning, onStreamEnd, tokenKey } from "./limits.js";

const env = (vars: Partial<Env> = {}) => vars as Env;
const admin = { name: "admin", groups: ["system:masters"] };
const alice = { name: "alice", groups: ["devs"] };

describe("request limits", () => {
  it("limits users by default and exempts system:masters unless admin limits are set", () => {
    expect(limitsFor(alice, env())).toEqual({ rate: { qps: DEFAULT_QPS, burst: DEFAULT_BURST }, watches: 100 });
    expect(limitsFor(admin, env())).toEqual({ watches: 100 });
    expect(limitsFor(admin, env({ ADMIN_RATE_LIMIT_QPS: "2", WATCH_LIMIT: "3" }))).toEqual({ rate: { qps: 2, burst: 4 }, watches: 3 });
    expect(limitsFor(alice, env({ RATE_LIMIT_QPS: "garbage" })).rate!.qps).toBe(DEFAULT_QPS);
  });

  it("knows which requests hold a connection open", () => {
    const u = (s: string) => new URL(`https://x${s}`);
    expect(longRunning("GET", u("/api/v1/pods?watch=true&timeoutSeconds=60"))).toEqual({ ttlMs: 120_000 });
    expect(longRunning("GET", u("/api/v1/pods?watch=1"))).toEqual({ ttlMs: 1_860_000 });
    expect(longRunning("GET", u("/kubeflare/v1/nodes/n1/desired?version=3"))).toBeDefined();
    expect(longRunning("GET", u("/api/v1/namespaces/a/pods/p/log?follow=true"))).toBeDefined();
    expect(longRunning("GET", u("/api/v1/namespaces/a/pods/p/log"))).toBeUndefined();
    expect(longRunning("GET", u("/api/v1/pods"))).toBeUndefined();
    expect(longRunning("POST", u("/api/v1/pods?watch=true"))).toBeUndefined();
  });

  it("keys tokens by their SHA-256, never the token", async () => {
    const key = await tokenKey(new Request("https://x", { headers: { authorization: "Bearer abc" } }));
    expect(key).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await tokenKey(new Request("https://x"))).toBeUndefined();
  });

  it("reports the end of a stream once, whether read to the end or cancelled", async () => {
    let ended = 0;
    const read = onStreamEnd(new Response("a\nb\n").body!, () => ended++);
    expect(await new Response(read).text()).toBe("a\nb\n");
    expect(ended).toBe(1);
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
    const cancelled = onStreamEnd(never, () => ended++);
    await cancelled.cancel();
    expect(ended).toBe(2);
  });
});
