/**
 * `kubeflare`: the operator's CLI for what kubectl does not cover. Errors are
 * one line on stderr with a non-zero exit (1 for failures, 2 for usage).
 */
import { parseFlags, type FlagSpec } from "./args.js";
import { apiClient, type ApiClient } from "./client.js";
import { commands, type Command } from "./commands.js";
import { CliError, usageError } from "./errors.js";
import { kubeconfigPath, loadClusterAccess, type ClusterAccess } from "./kubeconfig.js";

export const VERSION = "0.1.0";

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  kubeconfig: { help: "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)", valueName: "FILE" },
  context: { help: "kubeconfig context (default: its current-context)", valueName: "NAME" },
  help: { boolean: true, short: "h", help: "show help" },
};

function flagLines(spec: Record<string, FlagSpec>): string[] {
  return Object.entries(spec).map(([name, s]) => {
    const left = `${s.short ? `-${s.short}, ` : "    "}--${name}${s.boolean ? "" : ` ${s.valueName ?? "VALUE"}`}`;
    return `  ${left.padEnd(30)} ${s.help}${s.repeated ? " (repeatable)" : ""}`;
  });
}

export function helpText(command?: Command): string {
  if (command)
    return [`${command.summary}`, "", `Usage: ${command.usage}`, "", "Flags:", ...flagLines(command.flags), ...flagLines(GLOBAL_FLAGS), ""].join("\n");
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "kubeflare: manage a kubeflare cluster beyond what kubectl covers.",
    "",
    "Usage: kubeflare COMMAND [flags]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    "",
    "Global flags:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "It reaches the cluster like kubectl, from the kubeconfig's current context.",
    "Run `kubeflare COMMAND --help` for a command's flags.",
    "",
  ].join("\n");
}

/** The longest command name that the arguments start with ("token create" before "token"). */
function findCommand(argv: string[]): { command?: Command; rest: string[] } {
  const words = argv.filter((a) => !a.startsWith("-"));
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(" ");
    const command = commands.find((c) => c.name === name);
    if (command) {
      let removed = 0;
      return { command, rest: argv.filter((a) => (removed < n && !a.startsWith("-") ? (removed++, false) : true)) };
    }
  }
  return { rest: argv };
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  now(): number;
  /** Stands in for the network in unit tests. */
  client?: (access: ClusterAccess) => ApiClient;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === "help" || ((argv[0] === "--help" || argv[0] === "-h") && argv.length === 1)) {
      const named = argv[0] === "help" && argv.length > 1 ? findCommand(argv.slice(1)).command : undefined;
      io.out(helpText(named));
      return 0;
    }
    if (argv[0] === "--version" || argv[0] === "version") {
      io.out(`kubeflare ${VERSION}\n`);
      return 0;
    }
    const { command, rest } = findCommand(argv);
    if (!command) {
      const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length) throw usageError(`"${argv[0]}" needs a subcommand: ${group.map((c) => c.name.split(" ")[1]).join(", ")}`);
      throw usageError(`unknown command "${argv[0]}" (see kubeflare --help)`);
    }
    const { flags, positionals } = parseFlags(rest, { ...command.flags, ...GLOBAL_FLAGS });
    if (flags.help) {
      io.out(helpText(command));
      return 0;
    }
    const expected = command.args ?? [];
    if (positionals.length !== expected.length)
      throw usageError(expected.length ? `usage: ${command.usage}` : `unexpected argument "${positionals[0]}"`);
    let access: ClusterAccess | undefined;
    const getAccess = () => (access ??= loadClusterAccess(kubeconfigPath(flags.kubeconfig as string | undefined, io.env), flags.context as string | undefined));
    await command.run({
      flags,
      positionals,
      access: getAccess,
      api: () => (io.client ?? apiClient)(getAccess()),
      out: io.out,
      progress: (t) => io.err(`» ${t}\n`),
      now: io.now,
    });
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`kubeflare: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`kubeflare: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}
