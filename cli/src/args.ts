/**
 * Flag parsing for the subcommands: `--flag value`, `--flag=value`, repeated
 * flags collected, booleans without a value. Unknown flags are usage errors,
 * never silently ignored.
 */
import { usageError } from "./errors.js";

export interface FlagSpec {
  /** Takes a value (default) or is a switch. */
  boolean?: boolean;
  /** May be given more than once; the values are collected in order. */
  repeated?: boolean;
  short?: string;
  help: string;
  valueName?: string;
}

export type FlagValues = Record<string, string | string[] | boolean | undefined>;

export interface Parsed {
  positionals: string[];
  flags: FlagValues;
}

export function parseFlags(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const positionals: string[] = [];
  const flags: FlagValues = {};
  const byShort = new Map(Object.entries(spec).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const raw = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : byShort.get(arg.slice(1, eq === -1 ? undefined : eq));
    const name = raw && spec[raw] ? raw : undefined;
    if (!name) throw usageError(`unknown flag ${eq === -1 ? arg : arg.slice(0, eq)}`);
    const s = spec[name];
    if (s.boolean) {
      if (eq !== -1) throw usageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) throw usageError(`--${name} needs a value`);
    if (s.repeated) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (flags[name] !== undefined) throw usageError(`--${name} given twice`);
    else flags[name] = value;
  }
  return { positionals, flags };
}

/** "30m", "24h", "7d", "90s" → seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) throw usageError(`--${flag} must be a duration like 90s, 30m, 24h or 7d, got "${text}"`);
  const n = Number(m[1]);
  const seconds = n * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  if (seconds <= 0) throw usageError(`--${flag} must be positive`);
  return seconds;
}

export function positiveInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usageError(`--${flag} must be a positive integer, got "${text}"`);
  return Number(text);
}
