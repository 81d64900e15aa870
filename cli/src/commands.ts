/**
 * What the CLI does beyond kubectl: tokens for users, join tokens for nodes,
 * kubeconfigs for new users, and the fleet at a glance. Each command is a
 * flag spec plus a function; main.ts owns parsing, help and exit codes.
 */
import type { ApiClient } from "./client.js";
import { parseDuration, positiveInteger, type FlagSpec, type FlagValues } from "./args.js";
import { usageError } from "./errors.js";
import { age, expiresIn, table } from "./format.js";
import { renderKubeconfig, writePrivateFile, type ClusterAccess } from "./kubeconfig.js";

export interface CommandContext {
  flags: FlagValues;
  positionals: string[];
  api: () => ApiClient;
  access: () => ClusterAccess;
  out: (text: string) => void;
  /** Progress of multi-step work, on stderr so stdout stays pipeable. */
  progress: (text: string) => void;
  now: () => number;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments: exact count expected. */
  args?: string[];
  run(ctx: CommandContext): Promise<void>;
}

const TOKENS = "/kubeflare/v1/tokens";
const JOIN_TOKENS = "/kubeflare/v1/jointokens";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
const ttlFlag: FlagSpec = { help: "lifetime, e.g. 30m, 24h, 7d", valueName: "DURATION" };

async function createUserToken(ctx: CommandContext): Promise<{ id: string; token: string; user: string; groups: string[] }> {
  const user = str(ctx.flags.user);
  if (!user) throw usageError("--user is required");
  const ttl = str(ctx.flags.ttl);
  return ctx.api().post(TOKENS, {
    user,
    groups: list(ctx.flags.group),
    ...(ttl ? { expirationSeconds: parseDuration(ttl, "ttl") } : {}),
    ...(str(ctx.flags.description) ? { description: str(ctx.flags.description) } : {}),
  });
}

function tokenRows(items: any[], now: number): string[][] {
  return items.map((t) => [
    t.id,
    t.type === "node" ? `node ${t.nodeName ?? ""}`.trim() : "user",
    t.user ?? "",
    (t.groups ?? []).join(",") || "<none>",
    expiresIn(t.expirationTimestamp, now),
    age(t.creationTimestamp, now),
  ]);
}

export const commands: Command[] = [
  {
    name: "token create",
    summary: "create a bearer token for a user (printed once; only its hash is stored)",
    usage: "kubeflare token create --user NAME [--group GROUP]... [--ttl DURATION] [--description TEXT]",
    flags: {
      user: { help: "user name the token authenticates as", valueName: "NAME" },
      group: { repeated: true, help: "group of the user", valueName: "GROUP" },
      ttl: ttlFlag,
      description: { help: "a note shown by token list", valueName: "TEXT" },
    },
    async run(ctx) {
      const t = await createUserToken(ctx);
      ctx.progress(`token ${t.id} created for user ${t.user}; it is shown once, store it now`);
      ctx.out(`${t.token}\n`);
    },
  },
  {
    name: "token list",
    summary: "list user tokens and node credentials (ids only, never secrets)",
    usage: "kubeflare token list",
    flags: {},
    async run(ctx) {
      const { items } = await ctx.api().get(TOKENS);
      ctx.out(table(["ID", "TYPE", "USER", "GROUPS", "EXPIRES", "AGE"], tokenRows(items, ctx.now())));
    },
  },
  {
    name: "token revoke",
    summary: "revoke a user token or node credential by id",
    usage: "kubeflare token revoke ID",
    flags: {},
    args: ["ID"],
    async run(ctx) {
      const t = await ctx.api().delete(`${TOKENS}/${encodeURIComponent(ctx.positionals[0])}`);
      ctx.out(`token ${t.id} revoked\n`);
    },
  },
  {
    name: "join-token create",
    summary: "create a node join token and print how to join a machine with it",
    usage: "kubeflare join-token create [--ttl DURATION] [--uses N] [--description TEXT]",
    flags: {
      ttl: { ...ttlFlag, help: "lifetime (default 24h)" },
      uses: { help: "how many nodes may join with it (default 1)", valueName: "N" },
      description: { help: "a note shown by join-token list", valueName: "TEXT" },
    },
    async run(ctx) {
      const ttl = str(ctx.flags.ttl);
      const uses = str(ctx.flags.uses);
      const t = await ctx.api().post(JOIN_TOKENS, {
        ...(ttl ? { expirationSeconds: parseDuration(ttl, "ttl") } : {}),
        ...(uses ? { uses: positiveInteger(uses, "uses") } : {}),
        ...(str(ctx.flags.description) ? { description: str(ctx.flags.description) } : {}),
      });
      const server = ctx.access().server;
      ctx.progress(`join token ${t.id}: ${t.usesRemaining} use(s), expires ${t.expirationTimestamp}`);
      ctx.progress(`join a machine with Docker:\n  curl -fsSL https://raw.githubusercontent.com/kubeflare/kubeflare/main/agent/packaging/install.sh | sudo sh -s -- --server ${server} --token ${t.token}`);
      ctx.out(`${t.token}\n`);
    },
  },
  {
    name: "join-token list",
    summary: "list join tokens with their remaining uses",
    usage: "kubeflare join-token list",
    flags: {},
    async run(ctx) {
      const { items } = await ctx.api().get(JOIN_TOKENS);
      const now = ctx.now();
      ctx.out(
        table(
          ["ID", "USES LEFT", "EXPIRES", "DESCRIPTION", "AGE"],
          items.map((t: any) => [t.id, String(t.usesRemaining ?? ""), expiresIn(t.expirationTimestamp, now), t.description ?? "", age(t.creationTimestamp, now)]),
        ),
      );
    },
  },
  {
    name: "join-token revoke",
    summary: "revoke a join token by id (nodes that already joined keep their credentials)",
    usage: "kubeflare join-token revoke ID",
    flags: {},
    args: ["ID"],
    async run(ctx) {
      const t = await ctx.api().delete(`${JOIN_TOKENS}/${encodeURIComponent(ctx.positionals[0])}`);
      ctx.out(`join token ${t.id} revoked\n`);
    },
  },
  {
    name: "kubeconfig",
    summary: "create a token for a user and write a kubeconfig they can use with kubectl",
    usage: "kubeflare kubeconfig --user NAME [--group GROUP]... [--namespace NS] [--ttl DURATION] -o FILE",
    flags: {
      user: { help: "user name", valueName: "NAME" },
      group: { repeated: true, help: "group of the user", valueName: "GROUP" },
      namespace: { help: "default namespace of the kubeconfig's context", valueName: "NS" },
      ttl: ttlFlag,
      description: { help: "a note on the token", valueName: "TEXT" },
      output: { short: "o", help: "file to write (mode 0600)", valueName: "FILE" },
    },
    async run(ctx) {
      const output = str(ctx.flags.output);
      if (!output) throw usageError("-o FILE is required");
      if (!str(ctx.flags.user)) throw usageError("--user is required");
      const access = ctx.access();
      ctx.progress(`[1/2] creating a token for user ${str(ctx.flags.user)} …`);
      const t = await createUserToken(ctx);
      ctx.progress(`[2/2] writing ${output} …`);
      const clusterName = new URL(access.server).host.replace(/[^a-zA-Z0-9.-]/g, "-");
      writePrivateFile(output, renderKubeconfig({ clusterName, server: access.server, ca: access.ca, user: t.user, token: t.token, namespace: str(ctx.flags.namespace) }));
      ctx.progress(`done: KUBECONFIG=${output} kubectl auth can-i --list   (token id ${t.id}; revoke with: kubeflare token revoke ${t.id})`);
    },
  },
  {
    name: "nodes",
    summary: "list nodes with readiness, agent version, last heartbeat and pods",
    usage: "kubeflare nodes",
    flags: {},
    async run(ctx) {
      const api = ctx.api();
      const [nodes, leases, pods] = await Promise.all([
        api.get("/api/v1/nodes"),
        api.get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases").catch(() => ({ items: [] })),
        api.get("/api/v1/pods?fieldSelector=status.phase%21%3DSucceeded,status.phase%21%3DFailed"),
      ]);
      const now = ctx.now();
      const renewed = new Map<string, string>(leases.items.map((l: any) => [l.metadata.name, l.spec?.renewTime]));
      const podCount = new Map<string, number>();
      for (const p of pods.items) if (p.spec?.nodeName) podCount.set(p.spec.nodeName, (podCount.get(p.spec.nodeName) ?? 0) + 1);
      const rows = nodes.items.map((n: any) => {
        const ready = n.status?.conditions?.find((c: any) => c.type === "Ready");
        const status = (ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown") + (n.spec?.unschedulable ? ",SchedulingDisabled" : "");
        const heartbeat = [renewed.get(n.metadata.name), ready?.lastHeartbeatTime].filter(Boolean).sort().pop();
        const version = n.status?.nodeInfo?.kubeletVersion ?? "";
        const agent = /-kubeflare-(.+)$/.exec(version)?.[1] ?? (version || "<unknown>");
        const ip = n.status?.addresses?.find((a: any) => a.type === "InternalIP")?.address ?? "<none>";
        return [n.metadata.name, status, agent, heartbeat ? `${age(heartbeat, now)} ago` : "<never>", String(podCount.get(n.metadata.name) ?? 0), ip, n.status?.nodeInfo?.architecture ?? "", age(n.metadata.creationTimestamp, now)];
      });
      ctx.out(table(["NAME", "STATUS", "AGENT", "LAST HEARTBEAT", "PODS", "INTERNAL-IP", "ARCH", "AGE"], rows));
    },
  },
];
