/**
 * The command line: `kubeflare-agent run|join --server URL --token TOKEN
 * [--name NODE] [--labels k=v,...] [--state-dir DIR] [--ca-file PEM] ...`
 * Parsing is pure; defaults that read the machine are separate functions.
 */
import os from "node:os";
import { join } from "node:path";
import type { AgentOptions } from "./index.js";

export class UsageError extends Error {}

/** Options as parsed: the token may be left to the node credential stored by `join` (controlplane/join.ts). */
export type CommandOptions = Omit<AgentOptions, "token"> & { token?: string };

export type Command =
  | { command: "run" | "join"; options: CommandOptions }
  | { command: "help" }
  | { command: "version" };

export const USAGE = `Usage: kubeflare-agent join --server URL --token JOIN-TOKEN [flags]
       kubeflare-agent run --server URL [--token TOKEN] [flags]

Joins this machine to a kubeflare control plane as a Node and runs its pods in Docker.
join trades a join token for this node's own credential, stores it in the state dir
(mode 0600) and runs; run uses that stored credential unless --token is given.

Flags:
  --server URL          control plane URL (https://host:port)             [required]
  --token TOKEN         join: a join token; run: a node credential or admin token
                        (or KUBEFLARE_TOKEN in the environment; run: default the stored credential)
  --name NODE           node name (default: the hostname, lowercased)
  --labels k=v,...      extra node labels
  --state-dir DIR       desired-state cache and pod volumes
                        (default: /var/lib/kubeflare-agent/NODE as root, else ~/.kubeflare-agent/NODE)
  --ca-file PEM         CA certificate the server's certificate chains to
  --node-ip IP          the node's InternalIP (default: first address of a real interface)
  --docker-socket PATH  Docker Engine socket (default: DOCKER_HOST or /var/run/docker.sock)
  --network NAME        Docker network for pods (default: bridge)
  --pause-image IMAGE   infra container image (default: built-in pause image, no registry needed)
  --relay-port PORT     node relay port, published as the Node's kubelet endpoint (default 10250; 0: any free port)
  --service-cidr CIDR   the cluster's Service IP range (default 10.96.0.0/12)
  --cluster-dns-ip IP   cluster DNS address given to pods (default: the tenth address of --service-cidr)
  --ingress-http-port PORT   Ingress HTTP port on the node address (default 80)
  --ingress-https-port PORT  Ingress HTTPS port on the node address (default 443)
  --channel websocket|poll  how desired state arrives: a WebSocket the control plane pushes over
                        (default; falls back to long-polling when the upgrade is refused), or long-polling only
  --drain-seconds S     how long a deleted pod keeps running after leaving Service endpoints, so every
                        node's proxy has stopped sending it traffic before SIGTERM (default 2; capped by the grace period)
  --metrics-address HOST:PORT  serve /metrics there (needs --metrics-token; off by default)
  --metrics-token TOKEN bearer token /metrics requires (or KUBEFLARE_METRICS_TOKEN)
  --proxy-mode iptables|userspace  how Service traffic to pods on this node is forwarded: in the kernel
                        (default; needs root and iptables, falls back to userspace without them), or
                        by the agent's userspace proxy only. Endpoints on other nodes always go through
                        the userspace proxy and the node relay
  --no-proxy            no service proxy, relay, cluster DNS or Ingress on this node
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
  "--metrics-address": "metricsAddress",
  "--metrics-token": "metricsToken",
  "--relay-port": "relayPort",
  "--service-cidr": "serviceCIDR",
  "--cluster-dns-ip": "clusterDNSIP",
  "--ingress-http-port": "ingressHttpPort",
  "--ingress-https-port": "ingressHttpsPort",
  "--drain-seconds": "drainSeconds",
  "--channel": "channel",
  "--proxy-mode": "proxyMode",
};

const NUMERIC = new Set<keyof AgentOptions>(["relayPort", "ingressHttpPort", "ingressHttpsPort", "drainSeconds"]);

/**
 * Network flags may also come from the environment (KUBEFLARE_RELAY_PORT…),
 * so several agents on one host, as in tests, can be told apart without
 * changing how they are launched.
 */
const ENVIRONMENT: [string, string][] = [
  ["KUBEFLARE_RELAY_PORT", "--relay-port"],
  ["KUBEFLARE_SERVICE_CIDR", "--service-cidr"],
  ["KUBEFLARE_CLUSTER_DNS_IP", "--cluster-dns-ip"],
  ["KUBEFLARE_INGRESS_HTTP_PORT", "--ingress-http-port"],
  ["KUBEFLARE_INGRESS_HTTPS_PORT", "--ingress-https-port"],
  ["KUBEFLARE_DRAIN_SECONDS", "--drain-seconds"],
  ["KUBEFLARE_METRICS_ADDRESS", "--metrics-address"],
  ["KUBEFLARE_METRICS_TOKEN", "--metrics-token"],
  ["KUBEFLARE_PROXY_MODE", "--proxy-mode"],
];

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
  const fromEnvironment = ENVIRONMENT.filter(([name]) => env[name] !== undefined && env[name] !== "").map(([name, flag]) => `${flag}=${env[name]}`);
  if (env.KUBEFLARE_NO_PROXY === "1" || env.KUBEFLARE_NO_PROXY === "true") fromEnvironment.push("--no-proxy");
  const args = [...fromEnvironment, ...rest];
  for (let i = 0; i < args.length; i++) {
    const argument = args[i];
    if (argument === "-h" || argument === "--help") return { command: "help" };
    if (argument === "--no-proxy") {
      options.proxy = false;
      continue;
    }
    const [flag, inline] = argument.includes("=") && argument.startsWith("--") ? splitOnce(argument) : [argument, undefined];
    const field = FLAGS[flag];
    if (!field) throw new UsageError(`unknown flag "${flag}"`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
    if (field === "labels") options.labels = { ...options.labels, ...parseLabels(value) };
    else if (NUMERIC.has(field)) (options as Record<string, unknown>)[field] = parseNumber(flag, value);
    else if (field === "channel" && value !== "websocket" && value !== "poll") throw new UsageError(`--channel must be websocket or poll, got "${value}"`);
    else if (field === "proxyMode" && value !== "iptables" && value !== "userspace") throw new UsageError(`--proxy-mode must be iptables or userspace, got "${value}"`);
    else (options as Record<string, unknown>)[field] = value;
  }
  options.token ??= env.KUBEFLARE_TOKEN;
  if (!options.server) throw new UsageError("--server is required");
  if (command === "join" && !options.token) throw new UsageError("join needs --token (a join token)");
  try {
    new URL(options.server);
  } catch {
    throw new UsageError(`--server must be a URL, got "${options.server}"`);
  }
  return { command, options: options as CommandOptions };
}

function parseNumber(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || (flag.endsWith("port") && (!Number.isInteger(number) || number > 65535))) {
    throw new UsageError(`${flag} needs a number${flag.endsWith("port") ? " (a port, 0-65535)" : ""}, got "${value}"`);
  }
  return number;
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
