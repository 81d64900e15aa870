/** Facts about this machine for the Node object, read from the OS and Docker. */
import { readFile, statfs } from "node:fs/promises";
import os from "node:os";
import type { DockerClient } from "../docker/client.js";
import { goArch, pickInternalIP, type NodeFacts } from "./node-object.js";

async function readTrimmed(path: string): Promise<string> {
  return (await readFile(path, "utf8").catch(() => "")).trim();
}

async function osImage(): Promise<string> {
  const release = await readTrimmed("/etc/os-release");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return pretty?.[1] ?? `${os.type()} ${os.release()}`;
}

export async function gatherNodeFacts(docker: DockerClient, options: { stateDir: string; nodeIP?: string }): Promise<NodeFacts> {
  const [version, image, machineID, systemUUID, bootID, disk] = await Promise.all([
    docker.version(),
    osImage(),
    readTrimmed("/etc/machine-id"),
    readTrimmed("/sys/class/dmi/id/product_uuid"),
    readTrimmed("/proc/sys/kernel/random/boot_id"),
    statfs(options.stateDir).catch(() => undefined),
  ]);
  return {
    hostname: os.hostname(),
    internalIP: options.nodeIP ?? pickInternalIP(os.networkInterfaces()),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: os.totalmem(),
    ephemeralStorageBytes: disk ? disk.blocks * disk.bsize : undefined,
    osImage: image,
    kernelVersion: os.release(),
    architecture: goArch(process.arch),
    operatingSystem: process.platform === "win32" ? "windows" : process.platform,
    dockerVersion: version.Version,
    machineID,
    systemUUID: systemUUID || machineID,
    bootID,
  };
}
