/**
 * The `kubeflare` CLI end to end, as an operator uses it: against wrangler
 * dev with the admin kubeconfig, a kubeconfig written for a new user that
 * kubectl then uses, a join token a real agent joins with, the node listed,
 * and revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { ensureAgentBuilt, removeNodeContainers } from "../support/agents.js";
import { requireDocker } from "../support/images.js";

const root = resolve(import.meta.dirname, "../..");
const NODE = "e2e-cli-node";
let cp: ControlPlane;
let agent: ChildProcess | undefined;

function kubeflare(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "kubeflare.mjs"), ...args], {
    encoding: "utf8",
    env: { ...process.env, KUBECONFIG: cp.kubeconfig },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  await requireDocker();
  ensureAgentBuilt();
  removeNodeContainers([NODE]);
  cp = await startControlPlane();
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent!.once("exit", r));
    agent.kill("SIGTERM");
    await exited;
  }
  removeNodeContainers([NODE]);
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("kubeflare CLI", () => {
  let aliceKubeconfig: string;
  let aliceTokenId: string;

  it("writes a kubeconfig for a new user that kubectl authenticates with", async () => {
    aliceKubeconfig = join(cp.stateDir, "alice.kubeconfig");
    const r = kubeflare("kubeconfig", "--user", "alice", "--group", "team-a", "--namespace", "default", "-o", aliceKubeconfig);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("[1/2]");
    expect(r.err).toContain("[2/2]");
    aliceTokenId = /token id ([a-z0-9]{6})/.exec(r.err)![1];
    const alice = kubectlFor({ kubeconfig: aliceKubeconfig, stateDir: join(cp.stateDir, "alice-home") });
    // Authenticated (not 401) but bound to nothing yet.
    const denied = await alice.run(["get", "pods"]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('User "alice" cannot list resource "pods"');
    const admin = kubectlFor(cp);
    await admin.ok(["create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice", "-n", "default"]);
    await eventually(async () => (await alice.run(["get", "pods"])).code === 0, 20_000);
  });

  it("lists the token by id and revokes it", async () => {
    const list = kubeflare("token", "list");
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(new RegExp(`^${aliceTokenId}\\s+user\\s+alice\\s+team-a,system:authenticated\\s+never`, "m"));
    expect(list.out).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
    const revoked = kubeflare("token", "revoke", aliceTokenId);
    expect(revoked.code, revoked.err).toBe(0);
    const alice = kubectlFor({ kubeconfig: aliceKubeconfig, stateDir: join(cp.stateDir, "alice-home") });
    await eventually(async () => {
      const r = await alice.run(["get", "pods"]);
      return r.code !== 0 && /Unauthorized|must be logged in/.test(r.stderr);
    }, 20_000);
  });

  it("creates a join token that a real agent joins with, then lists the node with its agent version and heartbeat", async () => {
    const created = kubeflare("join-token", "create", "--ttl", "1h", "--uses", "1", "--description", "e2e");
    expect(created.code, created.err).toBe(0);
    const joinToken = created.out.trim();
    expect(joinToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(created.err).toContain("install.sh");
    expect(kubeflare("join-token", "list").out).toMatch(/\s1\s+\d+m\d*s?\s+e2e|\s1\s+59m|\s1\s+60m|\s1\s+1h/);

    agent = spawn(
      process.execPath,
      [join(root, "agent", "bin", "agent.mjs"), "join", "--server", cp.url, "--token", joinToken, "--ca-file", cp.caFile, "--name", NODE,
        "--state-dir", join(cp.stateDir, "cli-agent"), "--node-ip", "127.0.0.1", "--no-proxy"],
      { stdio: "ignore" },
    );
    const listed = await eventually(async () => {
      const r = kubeflare("nodes");
      return r.code === 0 && new RegExp(`^${NODE}\\s+Ready\\s+0\\.\\d+\\.\\d+\\s+\\d+s ago\\s+0\\s+127\\.0\\.0\\.1`, "m").test(r.out) && r.out;
    }, 60_000);
    expect(listed.split("\n")[0]).toMatch(/^NAME\s+STATUS\s+AGENT\s+LAST HEARTBEAT\s+PODS\s+INTERNAL-IP\s+ARCH\s+AGE$/);
    // The single use is spent; the node's own credential shows up as a node token.
    expect(kubeflare("token", "list").out).toMatch(new RegExp(`\\snode ${NODE}\\s+system:node:${NODE}`));
  });

  it("fails in one clear line with a non-zero exit", () => {
    const missing = kubeflare("token", "revoke", "zzzzzz");
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split("\n")).toHaveLength(1);
    expect(missing.err).toMatch(/^kubeflare: DELETE \/kubeflare\/v1\/tokens\/zzzzzz: .*not found \(404\)$/m);
    const usage = kubeflare("join-token", "create", "--ttl", "forever");
    expect(usage.code).toBe(2);
    expect(usage.err).toBe('kubeflare: --ttl must be a duration like 90s, 30m, 24h or 7d, got "forever"\n');
  });
});
