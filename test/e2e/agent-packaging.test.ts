/**
 * The ways the agent is installed on a machine, each exercised for real: the
 * npm package (no native addons, a working bin), the systemd unit (linted by
 * systemd itself), install.sh (in its --root mode: this machine has no
 * systemd running), and the container image (built, then run with the Docker
 * socket mounted until its node is Ready and runs a pod).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { ensureAgentBuilt, removeNodeContainers } from "../support/agents.js";
import { ensureTestImage, requireDocker, TEST_IMAGE } from "../support/images.js";
import { requireTool } from "../support/require.js";

const root = resolve(import.meta.dirname, "../..");
const agentDir = join(root, "agent");
const packaging = join(agentDir, "packaging");
const work = mkdtempSync(join(tmpdir(), "kubeflare-packaging-"));
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(cmd, args, { encoding: "utf8", timeout: 240_000, ...opts });

beforeAll(() => ensureAgentBuilt());
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm package", () => {
  it("packs bin, bundle and packaging with no native addon and no runtime dependency, and its bin runs", () => {
    const packed = run("npm", ["pack", "--json", "--pack-destination", work], { cwd: agentDir });
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout);
    const files: string[] = info.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(["bin/agent.mjs", "dist/agent.mjs", "packaging/install.sh", "packaging/kubeflare-agent.service"]));
    expect(files.filter((f) => f.endsWith(".node"))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(agentDir, "package.json"), "utf8"));
    // Everything is bundled: installing on a Raspberry Pi compiles nothing and fetches nothing else.
    expect(manifest.dependencies ?? {}).toEqual({});
    const prefix = join(work, "prefix");
    const installed = run("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, join(work, info.filename)]);
    expect(installed.status, installed.stderr).toBe(0);
    const version = run(join(prefix, "bin", "kubeflare-agent"), ["--version"]);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toContain(manifest.version);
  });
});

describe("systemd unit", () => {
  it("passes systemd-analyze verify", () => {
    if (!spawnSync("systemd-analyze", ["--version"]).stdout) {
      if (process.env.CI === "true") throw new Error("systemd-analyze is required (apt-get install -y systemd)");
      return;
    }
    // verify insists that ExecStart's program exists: point it at a stand-in, change nothing else.
    const bin = join(work, "kubeflare-agent");
    writeFileSync(bin, "#!/bin/sh\n");
    chmodSync(bin, 0o755);
    const unit = readFileSync(join(packaging, "kubeflare-agent.service"), "utf8");
    expect(unit).toContain("ExecStart=/usr/local/bin/kubeflare-agent run");
    const copy = join(work, "kubeflare-agent.service");
    writeFileSync(copy, unit.replace("/usr/local/bin/kubeflare-agent", bin));
    const verify = run("systemd-analyze", ["verify", "--man=no", copy]);
    expect(verify.stderr + verify.stdout).toBe("");
    expect(verify.status).toBe(0);
  });
});

describe("install.sh", () => {
  const script = join(packaging, "install.sh");

  it("writes the unit, a private environment file and a private state directory (--root mode)", () => {
    const target = join(work, "root");
    const r = run("sh", [script, "--server", "https://kubeflare.example.workers.dev", "--token", "abcdef.0123456789abcdef", "--name", "pi-1", "--labels", "zone=attic", "--root", target]);
    expect(r.status, r.stderr).toBe(0);
    const env = readFileSync(join(target, "etc/kubeflare/agent.env"), "utf8");
    expect(env).toContain("KUBEFLARE_SERVER=https://kubeflare.example.workers.dev");
    expect(env).toContain("KUBEFLARE_AGENT_ARGS= --name pi-1 --labels zone=attic");
    // The join token is spent by `kubeflare-agent join`; it is never written to disk.
    expect(env).not.toContain("abcdef.0123456789abcdef");
    expect(statSync(join(target, "etc/kubeflare/agent.env")).mode & 0o777).toBe(0o600);
    expect(statSync(join(target, "var/lib/kubeflare-agent")).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(target, "etc/systemd/system/kubeflare-agent.service"), "utf8")).toBe(
      readFileSync(join(packaging, "kubeflare-agent.service"), "utf8"),
    );
  });

  it("refuses a missing server or a plain-http one in one clear line", () => {
    const missing = run("sh", [script, "--root", join(work, "r2")]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim()).toBe("install.sh: --server is required");
    const http = run("sh", [script, "--server", "http://cp:8787", "--root", join(work, "r3")]);
    expect(http.status).not.toBe(0);
    expect(http.stderr.trim().split("\n")).toHaveLength(1);
    expect(http.stderr).toContain("https://");
  });
});

describe("container image", () => {
  const NODE = "e2e-agent-image";
  const container = `kubeflare-e2e-agent-image-${process.pid}`;
  const baseImage = `kubeflare/e2e-node-base:${process.pid}`;
  const agentImage = `kubeflare/agent:e2e-${process.pid}`;
  let cp: ControlPlane;

  /** node:20 can't be pulled here: a base image made of this machine's own node binary and the libraries it links. */
  function buildNodeBase(): void {
    const ctx = join(work, "node-base");
    const node = execFileSync("readlink", ["-f", process.execPath], { encoding: "utf8" }).trim();
    const libs = execFileSync("ldd", [node], { encoding: "utf8" })
      .split("\n")
      .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
      .filter((p): p is string => !!p);
    for (const file of [node, ...libs]) {
      const real = execFileSync("readlink", ["-f", file], { encoding: "utf8" }).trim();
      mkdirSync(join(ctx, "rootfs", dirname(file)), { recursive: true });
      copyFileSync(real, join(ctx, "rootfs", file));
    }
    mkdirSync(join(ctx, "rootfs/tmp"), { recursive: true });
    mkdirSync(join(ctx, "rootfs/usr/local/bin"), { recursive: true });
    copyFileSync(node, join(ctx, "rootfs/usr/local/bin/node"));
    chmodSync(join(ctx, "rootfs/usr/local/bin/node"), 0o755);
    writeFileSync(join(ctx, "Dockerfile"), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n');
    execFileSync("docker", ["build", "-q", "-t", baseImage, ctx], { stdio: ["ignore", "ignore", "inherit"] });
  }

  beforeAll(async () => {
    await requireDocker();
    requireTool("kubectl");
    await ensureTestImage();
    removeNodeContainers([NODE]);
    cp = await startControlPlane();
  }, 180_000);

  afterAll(async () => {
    spawnSync("docker", ["rm", "-f", container]);
    removeNodeContainers([NODE]);
    spawnSync("docker", ["rmi", "-f", agentImage, baseImage]);
    await cp?.stop();
    if (cp) removeState(cp.stateDir);
  });

  it("builds from agent/Dockerfile and, run with the Docker socket mounted, joins as a node and runs a pod", async () => {
    buildNodeBase();
    execFileSync("docker", ["build", "-q", "--build-arg", `BASE=${baseImage}`, "-t", agentImage, agentDir], { stdio: ["ignore", "ignore", "inherit"] });
    const help = run("docker", ["run", "--rm", agentImage]);
    expect(help.stdout + help.stderr).toContain("Usage: kubeflare-agent");

    const stateDir = join(cp.stateDir, "agent-in-docker");
    mkdirSync(stateDir, { recursive: true });
    const started = run("docker", [
      "run", "-d", "--name", container, "--network", "host",
      "-v", "/var/run/docker.sock:/var/run/docker.sock",
      "-v", `${stateDir}:${stateDir}`,
      "-v", `${cp.caFile}:/etc/kubeflare/ca.pem:ro`,
      "-e", `KUBEFLARE_TOKEN=${cp.token}`,
      agentImage, "run", "--server", cp.url, "--ca-file", "/etc/kubeflare/ca.pem", "--name", NODE, "--state-dir", stateDir, "--node-ip", "127.0.0.1",
    ]);
    expect(started.status, started.stderr).toBe(0);

    const k = kubectlFor(cp);
    const logs = () => run("docker", ["logs", container]).stderr;
    await eventually(async () => (await k.ok(["get", "node", NODE])).includes("Ready"), 60_000).catch((e) => {
      throw new Error(`${e}\nagent container output:\n${logs()}`);
    });
    await k.ok(["run", "in-docker", `--image=${TEST_IMAGE}`, "--restart=Never", "--", "sh", "-c", "echo ran by the containerized agent"]);
    await eventually(async () => (await k.ok(["get", "pod", "in-docker", "-o", "jsonpath={.status.phase}"])) === "Succeeded", 90_000).catch((e) => {
      throw new Error(`${e}\nagent container output:\n${logs()}`);
    });
    expect((await k.ok(["logs", "in-docker"])).trim()).toBe("ran by the containerized agent");
    const node = JSON.parse(await k.ok(["get", "node", NODE, "-o", "json"]));
    expect(node.status.nodeInfo.architecture).toBe(process.arch === "x64" ? "amd64" : process.arch);
    expect(readdirSync(stateDir).length).toBeGreaterThan(0);
  }, 300_000);
});
