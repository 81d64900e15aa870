/**
 * The README's first steps, as a new user follows them: run the `npm start`
 * of its first code block (in a private state folder, on a free port), wait
 * for the `export KUBECONFIG=…` it prints, run the kubectl commands it prints
 * in order, see the local node Ready and the example Deployment's pods
 * Running, then stop it with Ctrl-C (SIGINT to its process group, as a
 * terminal sends it) and see it exit cleanly.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm start`
import { freePort } from "../../scripts/lib/local-cluster.mjs";
import { removeNodeContainers } from "../support/agents.js";
import { eventually } from "../support/controlplane.js";
import { ensureTestImage, requireDocker, TEST_IMAGE } from "../support/images.js";
import { requireTool } from "../support/require.js";

const root = resolve(import.meta.dirname, "../..");
const NODE = `readme-e2e-${process.pid}`;

/** The first fenced code block of the README, line by line. */
function firstCodeBlock(markdown: string): string[] {
  const m = /^```[a-z]*\n([\s\S]*?)^```/m.exec(markdown);
  if (!m) throw new Error("README.md has no code block");
  return m[1].split("\n");
}

/** `npm install && npm start   # comment` → "npm start": what this test runs (dependencies are already installed). */
function startCommand(lines: string[]): string[] {
  const line = lines.find((l) => /\bnpm start\b/.test(l));
  if (!line) throw new Error("the README's first code block has no `npm start`");
  const command = line.split("#")[0].split("&&").map((s) => s.trim()).find((s) => s.startsWith("npm start"));
  return command!.split(/\s+/);
}

/** The commands `npm start` prints under "In another terminal:", up to the blank line. */
function printedCommands(output: string): string[] {
  const after = output.slice(output.indexOf("In another terminal:"));
  const block = after.split("\n\n")[1] ?? "";
  return block.split("\n").map((l) => l.trim()).filter(Boolean);
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    ),
  );
}

const imagePresent = (image: string) => {
  try {
    execFileSync("docker", ["image", "inspect", image], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("README: npm start, then the commands it prints", () => {
  let stateDir: string;
  let child: ChildProcess | undefined;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const taggedImages: string[] = [];

  beforeAll(async () => {
    requireTool("kubectl");
    await requireDocker();
    await ensureTestImage();
    stateDir = mkdtempSync(join(tmpdir(), "kubeflare-readme-"));
  });

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    removeNodeContainers([NODE]);
    for (const image of taggedImages) execFileSync("docker", ["rmi", image], { stdio: "ignore" });
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("starts a cluster whose node is Ready, runs the printed example, and stops on Ctrl-C", async () => {
    const command = startCommand(firstCodeBlock(readFileSync(join(root, "README.md"), "utf8")));
    expect(command).toEqual(["npm", "start"]);

    const port: number = await freePort();
    const env = { ...process.env, PORT: String(port), NODE_NAME: NODE, KUBEFLARE_STATE_DIR: stateDir };
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches npm, node and the agent.
    child = spawn(command[0], command.slice(1), { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    exited = new Promise((r) => child!.once("exit", (code, signal) => r({ code, signal })));
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));

    const kubeconfig = await eventually(async () => /^\s*export KUBECONFIG=(\S+)$/m.exec(output)?.[1], 100_000, 250).catch((e) => {
      throw new Error(`${e.message}\nnpm start printed:\n${output.slice(-4000)}`);
    });
    expect(kubeconfig).toBe(join(stateDir, "kubeconfig"));
    // It said what it waited for, in few lines.
    expect(output).toContain(`» node ${NODE} joins with a one-use join token`);
    expect(output).toContain(`» node ${NODE} is Ready`);
    expect(output.split("\n").filter((l) => l.includes("waiting for")).length).toBeLessThan(40);

    const commands = printedCommands(output);
    expect(commands[0]).toBe(`export KUBECONFIG=${kubeconfig}`);
    const kubectlEnv = { ...process.env, KUBECONFIG: kubeconfig, HOME: stateDir };
    const results: Record<string, string> = {};
    for (const line of commands.slice(1)) {
      const args = line.split(/\s+/);
      expect(args[0], line).toBe("kubectl");
      expect(line, "printed commands are run without a shell here").not.toMatch(/["'$|;&]/);
      const image = /--image=(\S+)/.exec(line)?.[1];
      // No registry is reachable from tests: the local busybox stands in for the printed image.
      if (image && !imagePresent(image)) {
        execFileSync("docker", ["tag", TEST_IMAGE, image]);
        taggedImages.push(image);
      }
      const r = await run("kubectl", args.slice(1), kubectlEnv);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      results[line] = r.stdout;
    }
    // npm start printed its commands once the node was Ready, so the first `get nodes` shows it.
    expect(results["kubectl get nodes"]).toMatch(new RegExp(`^${NODE}\\s+Ready\\s`, "m"));
    const create = Object.keys(results).find((l) => l.startsWith("kubectl create deployment hello"));
    expect(create && results[create]).toContain("deployment.apps/hello created");

    const running = await eventually(async () => {
      const r = await run("kubectl", ["get", "pods", "-l", "app=hello", "-o", "json"], kubectlEnv);
      const pods = r.code === 0 ? JSON.parse(r.stdout).items : [];
      return pods.length === 2 && pods.every((p: any) => p.status?.phase === "Running" && p.spec?.nodeName === NODE) && pods;
    }, 60_000, 500);
    expect(running).toHaveLength(2);
    const deleted = await run("kubectl", ["delete", "deployment", "hello", "--wait=false"], kubectlEnv);
    expect(deleted.code, deleted.stderr).toBe(0);

    const beforeStop = output.length;
    process.kill(-child.pid!, "SIGINT");
    const end = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 30_000))]);
    // As with any Ctrl-C'd job, the shell npm runs the script in reports death by SIGINT
    // (a terminal shows exit 130); the script itself stopped everything and exited 0.
    expect([{ code: 0, signal: null }, { code: null, signal: "SIGINT" }], output.slice(-3000)).toContainEqual(end);
    const tail = output.slice(beforeStop);
    expect(tail).toContain("» stopping");
    expect(tail).toContain(`node ${NODE} agent stopped`);
    expect(tail).not.toMatch(/npm error|wrangler dev exited|Error/);
    // Nothing it started is left: neither wrangler/workerd nor the agent (both name the state folder).
    const left = await run("pgrep", ["-f", stateDir], process.env);
    expect(left.stdout.trim()).toBe("");
    const stillServing = await new Promise<boolean>((r) => {
      const socket = connect(port, "127.0.0.1", () => (socket.destroy(), r(true)));
      socket.on("error", () => r(false));
    });
    expect(stillServing, `port ${port} still answers after Ctrl-C`).toBe(false);
  });
});
