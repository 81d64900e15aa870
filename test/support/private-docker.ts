/**
 * A private Docker daemon for tests that must stop and restart dockerd.
 * The machine's own dockerd is shared with every other test and is never
 * touched: this one has its own socket, data root, exec root (hence its own
 * containerd), pid file and bridge, and runs with --iptables=false so the
 * host's firewall rules stay as they are. Pods on it get addresses on the
 * private bridge, reachable from the host but not NATed outwards, which the
 * busybox test image does not need.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { TEST_IMAGE } from "./images.js";

const run = promisify(execFile);

export interface PrivateDocker {
  /** DOCKER_HOST value for clients of this daemon (unix://…). */
  host: string;
  dir: string;
  bridge: string;
  /** The docker CLI against this daemon; resolves with trimmed stdout. */
  docker(...args: string[]): Promise<string>;
  /** SIGTERM, as an operator's `systemctl stop docker`; containers die with it (no live-restore). */
  stop(): Promise<void>;
  /** Starts the daemon again on the same data root. */
  start(): Promise<void>;
  /** The daemon's log so far (for failure messages). */
  log(): string;
  /** Stops it and removes its containers, mounts, files and bridge. */
  destroy(): Promise<void>;
}

/** A /24 on 172.31.x that no interface or route of this machine uses yet. */
async function unusedSubnet(): Promise<number> {
  const { stdout } = await run("ip", ["-4", "route", "show", "table", "all"]);
  const { stdout: addresses } = await run("ip", ["-4", "addr"]);
  const taken = stdout + addresses;
  for (let third = 250; third > 200; third--) {
    if (!taken.includes(`172.31.${third}.`)) return third;
  }
  throw new Error("no free 172.31.x.0/24 subnet for the private docker bridge");
}

export async function startPrivateDocker(): Promise<PrivateDocker> {
  const tag = randomBytes(3).toString("hex");
  const dir = `/tmp/kf-fault-${tag}`;
  // Interface names are at most 15 characters.
  const bridge = `kff${tag}`;
  const socket = `${dir}/docker.sock`;
  const host = `unix://${socket}`;
  mkdirSync(dir, { recursive: true });
  const third = await unusedSubnet();
  await run("ip", ["link", "add", bridge, "type", "bridge"]);
  await run("ip", ["addr", "add", `172.31.${third}.1/24`, "dev", bridge]);
  await run("ip", ["link", "set", bridge, "up"]);

  const logFile = `${dir}/dockerd.log`;
  let daemon: ChildProcess | undefined;
  const docker = async (...args: string[]) => {
    const { stdout } = await run("docker", ["-H", host, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    return stdout.trim();
  };
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-4000) : "");

  const start = async () => {
    const out = openSync(logFile, "a");
    daemon = spawn(
      "dockerd",
      [
        "--host", host,
        "--data-root", `${dir}/data`,
        "--exec-root", `${dir}/exec`,
        "--pidfile", `${dir}/docker.pid`,
        "--bridge", bridge,
        "--iptables=false",
        "--ip6tables=false",
        // Containers stop quickly when the daemon does, keeping the test short.
        "--shutdown-timeout", "2",
      ],
      { stdio: ["ignore", out, out] },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (daemon.exitCode !== null) throw new Error(`private dockerd exited with ${daemon.exitCode}:\n${log()}`);
      if (await docker("version", "--format", "{{.Server.Version}}").then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`private dockerd did not answer within 60 s:\n${log()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const stop = async () => {
    const child = daemon;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };

  const destroy = async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      const ids = await docker("ps", "-aq").catch(() => "");
      if (ids) await docker("rm", "-f", "-v", ...ids.split("\n")).catch(() => "");
    }
    await stop();
    // dockerd bind-mounts its data root onto itself (and overlays below it); unmount before removing.
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1])
      .filter((target) => target?.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const target of mounts) await run("umount", ["-l", target]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await run("ip", ["link", "del", bridge]).catch(() => undefined);
  };

  try {
    await start();
    // No registry is reachable: copy the test image over from the machine's daemon.
    await new Promise<void>((resolve, reject) => {
      const save = spawn("docker", ["save", TEST_IMAGE], { stdio: ["ignore", "pipe", "inherit"] });
      const load = spawn("docker", ["-H", host, "load"], { stdio: ["pipe", "ignore", "inherit"] });
      save.stdout!.pipe(load.stdin!);
      save.on("error", reject);
      load.on("error", reject);
      load.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker load into the private daemon exited ${code}`))));
    });
  } catch (error) {
    await destroy();
    throw error;
  }
  return { host, dir, bridge, docker, stop, start, log, destroy };
}
