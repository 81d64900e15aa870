/**
 * Long-polls as heartbeats: a node whose agent polls its channel shard stays
 * Ready without any Lease renewal; when its polls stop, the shard reports it
 * silent after the grace period (5 s in this test runtime) and the cluster
 * store marks it unreachable; its next poll brings it back and is told to
 * resync.
 */
import { describe, expect, it } from "vitest";
import { call, createNode, settle } from "./helpers.js";

const poll = (node: string, timeoutSeconds = 0) => call("GET", `/kubeflare/v1/nodes/${node}/desired?version=&timeoutSeconds=${timeoutSeconds}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ready = async (node: string) =>
  (await call("GET", `/api/v1/nodes/${node}`)).body.status.conditions.find((c: any) => c.type === "Ready").status;
const taints = async (node: string) =>
  ((await call("GET", `/api/v1/nodes/${node}`)).body.spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`);

describe("node liveness from long-polls", () => {
  it("keeps a polling node Ready with no Lease renewals, marks it unreachable once its polls stop, and takes it back", async () => {
    await createNode("poller");
    expect((await poll("poller")).body).toMatchObject({ unchanged: false, commands: [] });
    // Polls keep coming, well past the grace period since the node's last Lease renewal.
    for (let i = 0; i < 8; i++) {
      await sleep(1000);
      expect((await poll("poller")).body.resync).toBeUndefined();
      await settle([]);
    }
    expect(await ready("poller")).toBe("True");

    // Silence: the shard reports it after the grace period, the cluster store acts at once.
    await sleep(6500);
    await settle([]);
    expect(await ready("poller")).toBe("Unknown");
    expect(await taints("poller")).toEqual(expect.arrayContaining(["node.kubernetes.io/unreachable:NoExecute"]));

    // Back: the first poll is answered at once and asks the agent to post its status again.
    const back = await poll("poller", 30);
    expect(back.body.resync).toBe(true);
    expect((await poll("poller")).body.resync).toBeUndefined();
    await sleep(200);
    await settle([]);
    expect(await taints("poller")).toEqual([]);
  });
});
