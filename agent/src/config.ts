/**
 * The command line: `kubeflare-agent run|join --server URL --token TOKEN
 * [--name NODE] [--labels k=v,...] [--state-dir DIR] [--ca-file PEM] ...`
 * Parsing is pure; defaults that read the machine are separate functions.
 */
import os from "node:os";
import { join } from "node:path";
import type { AgentOptions } from "./index.js";

export class UsageError extends Error {}

export type Command =
  | { command: "run"; options: AgentOptions }
  | { command: "help" }
  | { command: "version" };

export const USAGE = `Usage: kubeflare-agent run --server URL --token TOKEN [flags]
       kubeflare-agent join ...   (same as run)

Joins this machine to a kubeflare control plane as a Node and runs its pods in Docker.

Flags:
  --server URL          control plane URL (https://host:port)             [required]
  --token TOKEN         bearer token (or KUBEFLARE_TOKEN in the environment) [required]
  --name NODE           node name (default: the hostname, lowercased)
  --labels k=v,...      extra node labels
  --state-dir DIR       desired-state cache and pod volumes
                        (default: /var/lib/kubeflare-agent/NODE as root, else ~/.kubeflare-agent/NODE)
  --ca-file PEM         CA certificate the server's certificate chains to
  --node-ip IP          the node's InternalIP (default: first address of a real interface)
  --docker-socket PATH  Docker Engine socket (default: DOCKER_HOST or /var/run/docker.sock)
  --network NAME        Docker network for pods (default: bridge)
  --pause-image IMAGE   infra container image (default: built-in pause image, no registry needed)
  -h, --help            show this help
  --version             print the version`;

const FLAGS: Record<string, keyof AgentOptions | "labels"> = {
  "--server": "server",
  "--token": "token",
  "--name": "nodeName",
  "--labels": "labels",
  "--state-dir": "stateDir",
  "--ca-file": "caFile",
  "--node-ip": "nodeIP",
  "--docker-socket": "dockerSocket",
  "--network": "network",
  "--pause-image": "pauseImage",
};

/** "a=1,b=2" → { a: "1", b: "2" }. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new UsageError(`invalid label "${pair}": expected key=value`);
    labels[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return labels;
}

export function parseCommandLine(argv: string[], env: Record<string, string | undefined> = {}): Command {
  const [command, ...rest] = argv;
  if (!command || command === "-h" || command === "--help" || command === "help") return { command: "help" };
  if (command === "--version" || command === "version") return { command: "version" };
  if (command !== "run" && command !== "join") throw new UsageError(`unknown command "${command}"`);

  const options: Partial<AgentOptions> = {};
  for (let i = 0; i < rest.length; i++) {
    const argument = rest[i];
    if (argument === "-h" || argument === "--help") return { command: "help" };
    const [flag, inline] = argument.includes("=") && argument.startsWith("--") ? splitOnce(argument) : [argument, undefined];
    const field = FLAGS[flag];
    if (!field) throw new UsageError(`unknown flag "${flag}"`);
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
    if (field === "labels") options.labels = { ...options.labels, ...parseLabels(value) };
    else (options as Record<string, unknown>)[field] = value;
  }
  options.token ??= env.KUBEFLARE_TOKEN;
  if (!options.server) throw new UsageError("--server is required");
  if (!options.token) throw new UsageError("--token is required");
  try {
    new URL(options.server);
  } catch {
    throw new UsageError(`--server must be a URL, got "${options.server}"`);
  }
  return { command: "run", options: options as AgentOptions };
}

function splitOnce(argument: string): [string, string] {
  const equals = argument.indexOf("=");
  return [argument.slice(0, equals), argument.slice(equals + 1)];
}

/** A Node name from a hostname: lowercase, and only what a DNS subdomain allows. */
export function defaultNodeName(hostname = os.hostname()): string {
  const name = hostname
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return name || "node";
}

export function defaultStateDir(nodeName: string, uid = process.getuid?.() ?? 0, home = os.homedir()): string {
  return uid === 0 ? join("/var/lib/kubeflare-agent", nodeName) : join(home, ".kubeflare-agent", nodeName);
}
