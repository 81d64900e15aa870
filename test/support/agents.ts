/**
 * Real node agents as child processes (the built `agent/bin/agent.mjs`, as a
 * user runs it), each acting as a separate node on this machine's Docker.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ControlPlane } from "./controlplane.js";
import { requireTool } from "./require.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "agent", "bin", "agent.mjs");

export interface AgentProcess {
  name: string;
  stateDir: string;
  output(): string;
  /** Stops the agent (SIGTERM by default; SIGKILL to crash it). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same name and state directory. */
  restart(): Promise<void>;
}

let built = false;

/** Builds the agent bundle once per test run, so tests never run a stale one. */
export function ensureAgentBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [join(root, "agent", "build.mjs")], { stdio: "inherit" });
  built = true;
}

export async function startAgentProcess(cp: ControlPlane, name: string, extraEnv: Record<string, string> = {}): Promise<AgentProcess> {
  requireTool("docker");
  ensureAgentBuilt();
  const stateDir = join(cp.stateDir, "agents", name);
  mkdirSync(stateDir, { recursive: true });
  let child: ChildProcess;
  let output = "";
  const launch = () => {
    child = spawn(
      process.execPath,
      [bin, "run", "--server", cp.url, "--token", cp.token, "--ca-file", cp.caFile, "--name", name, "--state-dir", stateDir, "--node-ip", "127.0.0.1"],
      { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
  };
  launch();
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (exited()) return;
    const done = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await done;
  };
  return {
    name,
    stateDir,
    output: () => output,
    kill,
    restart: async () => {
      await kill();
      launch();
    },
  };
}

export interface DockerContainer {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
}

/** Containers (all states) carrying every label in `filter`, straight from Docker; `dockerHost` names another daemon. */
export function dockerContainers(filter: Record<string, string>, dockerHost?: string): DockerContainer[] {
  const args = ["ps", "-a", "--format", "{{json .}}"];
  for (const [k, v] of Object.entries(filter)) args.push("--filter", `label=${k}=${v}`);
  const env = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
  const out = execFileSync("docker", args, { encoding: "utf8", env });
  return out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .map((c) => ({
      id: c.ID,
      name: c.Names,
      state: c.State,
      labels: Object.fromEntries(
        String(c.Labels)
          .split(",")
          .filter(Boolean)
          .map((kv: string) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      ),
    }));
}

/** The running ones of dockerContainers(filter, dockerHost). */
export function runningContainers(filter: Record<string, string>, dockerHost?: string): DockerContainer[] {
  return dockerContainers(filter, dockerHost).filter((c) => c.state === "running");
}

export function dockerInspect(id: string): any {
  return JSON.parse(execFileSync("docker", ["inspect", id], { encoding: "utf8" }))[0];
}

/** Removes every container an agent of these nodes left behind. */
export function removeNodeContainers(nodes: string[]): void {
  for (const node of nodes) {
    const ids = dockerContainers({ "io.kubeflare.node": node }).map((c) => c.id);
    if (ids.length) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
  }
}
