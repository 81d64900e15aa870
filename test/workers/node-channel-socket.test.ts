/**
 * The agent channel over a hibernatable WebSocket: the shard sends the whole
 * desired state on connect, pushes a new one when a pod is bound to the node
 * and pushes log commands as they are asked for; a closed socket makes the
 * node unreachable after the grace period (5 s in this test runtime), and a
 * new socket brings it back with a resync.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createNode, settle, TOKEN } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ready = async (node: string) =>
  (await call("GET", `/api/v1/nodes/${node}`)).body.status.conditions.find((c: any) => c.type === "Ready").status;
const taints = async (node: string) =>
  ((await call("GET", `/api/v1/nodes/${node}`)).body.spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`);

/** A channel socket with its messages queued for `next`. */
async function connect(node: string) {
  const res = await SELF.fetch(`https://kubeflare.test/kubeflare/v1/nodes/${node}/channel`, {
    headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket" },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const queue: any[] = [];
  const waiting: ((m: any) => void)[] = [];
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data as string);
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  ws.accept();
  const next = (ms = 10_000): Promise<any> =>
    queue.length
      ? Promise.resolve(queue.shift())
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
          waiting.push((m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
  return { ws, next };
}

describe("node channel over a WebSocket", () => {
  it("refuses a plain GET with 426 and a Status", async () => {
    const r = await call("GET", "/kubeflare/v1/nodes/plain/channel");
    expect(r.status).toBe(426);
    expect(r.body).toMatchObject({ kind: "Status", code: 426 });
  });

  it("sends the state on connect, pushes bindings and log commands, and drives liveness by the socket", async () => {
    const node = "socket-node";
    const ns = "socket-ns";
    await createNode(node);
    expect((await call("POST", "/api/v1/namespaces", { metadata: { name: ns } })).status).toBe(201);
    const { ws, next } = await connect(node);
    const first = await next();
    expect(first).toMatchObject({ unchanged: false, pods: [], commands: [] });

    // A pod bound to the node: its new state arrives without asking.
    const pod = await call("POST", `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: "web" },
      spec: { nodeName: node, containers: [{ name: "web", image: "busybox" }] },
    });
    expect(pod.status, pod.text).toBe(201);
    await settle([ns]);
    let pushed = await next();
    while (!pushed.pods?.length) pushed = await next();
    expect(pushed.version).not.toBe(first.version);
    expect(pushed.pods.map((p: any) => p.metadata.name)).toEqual(["web"]);

    // kubectl logs: the command is pushed; the agent's upload answers the waiting request.
    const logs = call("GET", `/api/v1/namespaces/${ns}/pods/web/log?container=web`);
    const command = await next();
    expect(command).toMatchObject({ unchanged: true, version: pushed.version, commands: [{ type: "log", pod: "web", container: "web" }] });
    const upload = await call("POST", `/kubeflare/v1/nodes/${node}/streams/${command.commands[0].id}`, "hello from the socket\n", {
      "content-type": "text/plain",
    });
    expect(upload.status).toBe(200);
    expect((await logs).text).toBe("hello from the socket\n");

    // Connected well past the grace period with no Lease renewal: still Ready.
    await sleep(6500);
    await settle([]);
    expect(await ready(node)).toBe("True");

    // Closed: unreachable once the grace period has passed.
    ws.close(1000, "agent stopping");
    await sleep(6500);
    await settle([]);
    expect(await ready(node)).toBe("Unknown");
    expect(await taints(node)).toEqual(expect.arrayContaining(["node.kubernetes.io/unreachable:NoExecute"]));

    // Back: the first message asks the agent to post its status again, and the taints go.
    const again = await connect(node);
    const back = await again.next();
    expect(back.resync).toBe(true);
    expect(back.pods.map((p: any) => p.metadata.name)).toEqual(["web"]);
    await sleep(200);
    await settle([]);
    expect(await taints(node)).toEqual([]);
    again.ws.close(1000, "done");
  });
});
