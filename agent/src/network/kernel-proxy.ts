/**
 * Keeps this node's in-kernel service rules (kernel-rules.ts) equal to what
 * the service proxy wants, through iptables-restore. The userspace listeners
 * stay bound underneath: a connection the rules do not catch (rules not yet
 * written, or iptables failing) still reaches the userspace proxy, so the
 * rules are only ever a faster path, never the only one.
 *
 * Writes are serialised and coalesced (only the latest wanted set is
 * written), and skipped when nothing changed. One log line per change of
 * state, not per failure.
 */
import { execFile, spawn } from "node:child_process";
import { readFile, readlink, writeFile } from "node:fs/promises";
import type { Logger } from "../log.js";
import {
  chainNames,
  endpointChain,
  renderRemoval,
  renderServiceRules,
  renderSetup,
  savedJumps,
  type ChainNames,
  type KernelForward,
  type Ownership,
  type SourceNat,
} from "./kernel-rules.js";

/** How the proxy reaches iptables; replaced in tests. */
export interface Iptables {
  /** iptables-save output for the nat and filter tables. */
  save(): Promise<string>;
  /** Feeds `rules` to iptables-restore --noflush. */
  restore(rules: string): Promise<void>;
  /** Turns on net.ipv4.conf.all.route_localnet, so NodePorts answer on 127.0.0.1 as kube-proxy's do. */
  allowLocalhostNodePorts(): Promise<void>;
  /** Whether bridged traffic passes through iptables (br_netfilter's bridge-nf-call-iptables). */
  bridgeNetfilter(): Promise<boolean>;
}

const WAIT_SECONDS = "5";
/** Retry ticks (1 s each by default) between checks that the rules are still in the kernel. */
export const VERIFY_TICKS = 30;

function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command}: ${(stderr || `exit ${code}`).trim().split("\n").slice(0, 3).join("; ")}`));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

export const systemIptables: Iptables = {
  save: async () => `${await run("iptables-save", ["-t", "nat"])}\n${await run("iptables-save", ["-t", "filter"])}`,
  restore: async (rules) => void (await run("iptables-restore", ["--noflush", "--wait", WAIT_SECONDS], rules)),
  allowLocalhostNodePorts: () => writeFile("/proc/sys/net/ipv4/conf/all/route_localnet", "1\n"),
  bridgeNetfilter: async () => (await readFile("/proc/sys/net/bridge/bridge-nf-call-iptables", "utf8").catch(() => "0")).trim() === "1",
};

/** Whether this process can program iptables: root on Linux, with iptables-restore on the PATH. */
export async function iptablesAvailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not running as root";
  try {
    await new Promise<void>((resolve, reject) => execFile("iptables-restore", ["--version"], { timeout: 5_000 }, (error) => (error ? reject(error) : resolve())));
    return undefined;
  } catch (error) {
    return `iptables-restore unusable (${(error as Error).message})`;
  }
}

async function currentOwnership(): Promise<Ownership> {
  const link = await readlink("/proc/self/ns/pid").catch(() => "pid:[unknown]");
  return { pid: process.pid, pidNamespace: /\[(\d+)\]/.exec(link)?.[1] ?? "unknown" };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
};

export interface KernelProxyOptions {
  nodeName: string;
  /** A non-loopback address of this host, given to 127.0.0.1 clients toward pods (see kernel-rules.ts). */
  hostAddress?: string;
  iptables?: Iptables;
  log: Logger;
}

export class KernelProxy {
  private readonly names: ChainNames;
  private readonly iptables: Iptables;
  private ready: Promise<boolean> | undefined;
  private wanted: KernelForward[] = [];
  private written = "";
  private endpointChains = new Set<string>();
  private running: Promise<void> | undefined;
  private dirty = false;
  private failure = "";
  private ticks = 0;
  private stopped = false;
  private sourceNat: SourceNat = { bridgeNetfilter: true };

  constructor(private readonly options: KernelProxyOptions) {
    this.names = chainNames(options.nodeName);
    this.iptables = options.iptables ?? systemIptables;
  }

  /** Installs the base chains, after clearing what an earlier run of this node, or a dead agent of this host, left. */
  start(): Promise<boolean> {
    this.ready ??= this.setup().then(
      () => true,
      (error) => {
        this.options.log(`service proxy: in-kernel forwarding unavailable, using the userspace proxy only: ${(error as Error).message}`);
        return false;
      },
    );
    return this.ready;
  }

  private async setup(): Promise<void> {
    const owner = await currentOwnership();
    const saved = await this.iptables.save();
    const leftovers = new Set([this.names.owner]);
    for (const jump of savedJumps(saved)) {
      if (jump.pidNamespace === owner.pidNamespace && jump.pid !== process.pid && !alive(jump.pid)) leftovers.add(jump.owner);
    }
    const removal = renderRemoval(saved, leftovers);
    if (removal) await this.iptables.restore(removal);
    if (leftovers.size > 1) this.options.log(`service proxy: removed the iptables rules of ${leftovers.size - 1} agent(s) of this host that are gone`);
    await this.iptables.allowLocalhostNodePorts();
    this.sourceNat = { loopbackSource: this.options.hostAddress, bridgeNetfilter: await this.iptables.bridgeNetfilter() };
    // Docker evaluates DOCKER-USER before its own FORWARD rules (which drop what they do not know).
    const forwardChain = /^:DOCKER-USER /m.test(saved) ? "DOCKER-USER" : "FORWARD";
    await this.iptables.restore(renderSetup(this.names, owner, forwardChain));
  }

  /** Wants exactly `forwards` in the kernel; written in the background. */
  apply(forwards: KernelForward[]): void {
    this.wanted = forwards;
    this.kick();
  }

  /**
   * Called on the proxy's retry tick: writes again if the last write failed,
   * and every VERIFY_TICKS ticks checks the rules are still there, since a
   * firewall reload or an admin's flush removes them without telling us.
   */
  retry(): void {
    if (this.failure) this.kick();
    if (++this.ticks % VERIFY_TICKS === 0 && !this.running && !this.stopped) void this.verify();
  }

  /** Reinstalls everything when our jump or chain is gone from the kernel. */
  private async verify(): Promise<void> {
    if (!this.ready || !(await this.ready)) return;
    let saved: string;
    try {
      saved = await this.iptables.save();
    } catch {
      return;
    }
    const intact = saved.includes(`:${this.names.services} `) && saved.includes(`-j ${this.names.services}`) && saved.includes(`-j ${this.names.forward}`);
    if (intact || this.stopped) return;
    this.options.log("service proxy: in-kernel forwarding rules were removed by something else; writing them again");
    this.ready = undefined;
    this.written = "";
    this.endpointChains.clear();
    this.kick();
  }

  /** Resolves once what was wanted at the time of the call is written (or failed). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = this.write().finally(() => {
      this.running = undefined;
      if (this.dirty) {
        this.dirty = false;
        this.kick();
      }
    });
  }

  private async write(): Promise<void> {
    if (!(await this.start()) || this.stopped) return;
    const forwards = this.wanted;
    const rules = renderServiceRules(this.names, forwards, this.endpointChains, this.sourceNat);
    if (rules === this.written) return;
    try {
      await this.iptables.restore(rules);
      this.written = rules;
      // What exists now: the chains of forwards with endpoints (stale ones were deleted in the same transaction).
      this.endpointChains = new Set(forwards.filter((forward) => forward.endpoints.length > 0).map((forward) => endpointChain(this.names, forward)));
      if (this.failure) this.options.log("service proxy: in-kernel forwarding rules written again");
      this.failure = "";
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.failure) this.options.log(`service proxy: cannot write in-kernel forwarding rules (the userspace proxy serves meanwhile): ${message}`);
      this.failure = message;
    }
  }

  /** Removes this agent's rules; connections already forwarded keep going (conntrack holds them). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
    if (!this.ready || !(await this.ready)) return;
    try {
      const removal = renderRemoval(await this.iptables.save(), new Set([this.names.owner]));
      if (removal) await this.iptables.restore(removal);
    } catch (error) {
      this.options.log(`service proxy: cannot remove in-kernel forwarding rules: ${(error as Error).message}`);
    }
  }
}
