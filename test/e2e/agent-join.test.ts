/**
 * Joining a real agent with a join token: the admin makes a single-use join
 * token, `kubeflare-agent join` trades it for the node's own credential
 * (stored 0600 in the state dir), registers the Node and runs a pod; a
 * restarted `kubeflare-agent run` without --token carries on with the stored
 * credential; a second join with the spent token fails with one clear line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { dockerContainers, ensureAgentBuilt, removeNodeContainers } from "../support/agents.js";
import { ensureTestImage, requireDocker } from "../support/images.js";

const NODE = "e2e-join-a";
const OTHER = "e2e-join-b";
const bin = resolve(import.meta.dirname, "../../agent/bin/agent.mjs");

let cp: ControlPlane;
let k: ReturnType<typeof kubectlFor>;
let joinToken: { id: string; token: string };
const children: ChildProcess[] = [];

interface Launched {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The agent as a user runs it; no service proxy, so it cannot collide with other tests' agents on this host. */
function agent(args: string[]): Launched {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, KUBEFLARE_NO_PROXY: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => output, exited };
}

async function stop(a: Launched): Promise<void> {
  if (a.child.exitCode !== null || a.child.signalCode !== null) return;
  a.child.kill("SIGTERM");
  await a.exited;
}

const stateDir = (name: string) => join(cp.stateDir, "agents", name);

const nodeReady = async (name: string) => {
  const r = await k.run(["get", "node", name, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]);
  return r.code === 0 && r.stdout === "True";
};

const podPhase = async (name: string) => (await k.run(["get", "pod", name, "-o", "jsonpath={.status.phase}"])).stdout;

const sleeper = (name: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeSelector: {kubernetes.io/hostname: ${NODE}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: kubeflare/busybox:test
    imagePullPolicy: Never
    command: ["sleep", "3600"]
`;

beforeAll(async () => {
  await requireDocker();
  await ensureTestImage();
  ensureAgentBuilt();
  removeNodeContainers([NODE, OTHER]);
  cp = await startControlPlane();
  k = kubectlFor(cp);
  for (const n of [NODE, OTHER]) mkdirSync(stateDir(n), { recursive: true });
  const created = await api(cp, "POST", "/kubeflare/v1/jointokens", { uses: 1, expirationSeconds: 600, description: "agent-join e2e" });
  expect(created.status, created.text).toBe(201);
  joinToken = created.body;
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  removeNodeContainers([NODE, OTHER]);
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("kubeflare-agent join", () => {
  let first: Launched;

  it("joins with a join token, registers its Node and runs a pod as that node", async () => {
    first = agent([
      "join", "--server", cp.url, "--token", joinToken.token, "--ca-file", cp.caFile,
      "--name", NODE, "--state-dir", stateDir(NODE), "--node-ip", "127.0.0.1",
    ]);
    await eventually(() => nodeReady(NODE), 60_000).catch((e) => {
      throw new Error(`${e}\nagent output:\n${first.output()}`);
    });
    expect(first.output()).toContain(`joined as node ${NODE}`);
    expect(first.output()).not.toContain(joinToken.token);

    await k.ok(["apply", "-f", "-"], sleeper("joined-pod"));
    await eventually(async () => (await podPhase("joined-pod")) === "Running", 90_000);
    expect(dockerContainers({ "io.kubeflare.node": NODE, "io.kubeflare.pod.name": "joined-pod" }).some((c) => c.state === "running")).toBe(true);
  });

  it("keeps the node credential (never the join token) in the state dir, readable by its owner only", async () => {
    const file = join(stateDir(NODE), "node-credential.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const credential = JSON.parse(readFileSync(file, "utf8"));
    expect(credential).toMatchObject({ nodeName: NODE, server: cp.url });
    expect(credential.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(readFileSync(file, "utf8")).not.toContain(joinToken.token);

    // The control plane knows it as this node's credential, and the join token is spent.
    const tokens = await api(cp, "GET", "/kubeflare/v1/tokens");
    expect(tokens.body.items).toContainEqual(expect.objectContaining({ id: credential.id, type: "node", nodeName: NODE, user: `system:node:${NODE}` }));
    expect((await api(cp, "GET", "/kubeflare/v1/jointokens")).body.items.map((t: any) => t.id)).not.toContain(joinToken.id);
  });

  it("restarts as `run` without a token, reusing the stored credential", async () => {
    await stop(first);
    const restarted = agent(["run", "--server", cp.url, "--ca-file", cp.caFile, "--state-dir", stateDir(NODE), "--node-ip", "127.0.0.1"]);
    await eventually(async () => restarted.output().includes(`starting as node ${NODE}`), 30_000).catch((e) => {
      throw new Error(`${e}\nagent output:\n${restarted.output()}`);
    });
    // Only a working credential gets a new pod started and reported Running.
    await k.ok(["apply", "-f", "-"], sleeper("after-restart"));
    await eventually(async () => (await podPhase("after-restart")) === "Running", 90_000).catch((e) => {
      throw new Error(`${e}\nagent output:\n${restarted.output()}`);
    });
    expect(await podPhase("joined-pod")).toBe("Running");
    expect(restarted.output()).not.toMatch(/401|Unauthorized/);
  });

  it("refuses a second join with the spent single-use token, in one clear line", async () => {
    const second = agent([
      "join", "--server", cp.url, "--token", joinToken.token, "--ca-file", cp.caFile,
      "--name", OTHER, "--state-dir", stateDir(OTHER), "--node-ip", "127.0.0.1",
    ]);
    expect(await second.exited).toBe(1);
    const lines = second.output().split("\n").filter((l) => l.trim() !== "");
    expect(lines).toEqual([
      "kubeflare-agent: join failed: the join token was refused (unknown, expired, revoked or already used up); ask an admin for a new one",
    ]);
    expect(existsSync(join(stateDir(OTHER), "node-credential.json"))).toBe(false);
    expect((await k.run(["get", "node", OTHER])).code).not.toBe(0);
  });
});
