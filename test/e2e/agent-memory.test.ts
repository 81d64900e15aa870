/**
 * The agent's resident memory, measured on the built bundle as it ships
 * (agent/dist/agent.mjs, talking HTTPS to a fake control plane): at most
 * 1.5× a bare idle `node` process when idle, 1.8× with 30 running pods.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "../support/images.js";
import { FakeControlPlane, makeCertificates, removeCertificates } from "./agent-fake-controlplane.js";
import { removeNodeContainers, uniqueName, waitFor } from "./agent-helpers.js";

const run = promisify(execFile);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function residentKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** The smallest of a few samples: RSS only drops when the GC gives memory back. */
async function steadyResidentKiB(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 4; i++) {
    samples.push(await residentKiB(pid));
    await settle(500);
  }
  return Math.min(...samples);
}

let image: string;
let certificates: Awaited<ReturnType<typeof makeCertificates>>;
let stateDir: string;
const nodeName = uniqueName("e2e-memory");
const children: ChildProcess[] = [];
let plane: FakeControlPlane;

beforeAll(async () => {
  image = await ensureTestImage();
  await run(process.execPath, ["agent/build.mjs"]);
  certificates = await makeCertificates();
  stateDir = await mkdtemp(join(tmpdir(), "kubeflare-agent-memory-"));
  plane = new FakeControlPlane({ key: certificates.key, cert: certificates.cert });
  await plane.start();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await plane?.stop();
  await removeNodeContainers(nodeName).catch(() => {});
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  if (certificates) await removeCertificates(certificates.dir);
});

describe("agent memory", () => {
  it("stays within 1.5× a bare node process idle and 1.8× with 30 pods", { timeout: 240_000 }, async () => {
    const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    children.push(bare);
    await settle(2_000);
    const baseline = await steadyResidentKiB(bare.pid!);
    bare.kill();

    let output = "";
    const agent = spawn(
      process.execPath,
      ["agent/bin/agent.mjs", "run", "--server", plane.url, "--token", plane.token, "--ca-file", certificates.caFile,
        "--name", nodeName, "--state-dir", stateDir, "--node-ip", "127.0.0.1"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    children.push(agent);
    agent.stderr!.on("data", (chunk) => (output += chunk));
    await waitFor("the agent to register", () => plane.nodes.has(nodeName) && plane.leases.has(nodeName));
    await settle(3_000);
    const idle = await steadyResidentKiB(agent.pid!);

    const pods = Array.from({ length: 30 }, (_, i) => ({
      metadata: { name: `mem-${i}`, namespace: "default", uid: `${nodeName}-${i}` },
      spec: {
        nodeName,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "sleep",
            image,
            imagePullPolicy: "IfNotPresent",
            command: ["sleep", "3600"],
            readinessProbe: { exec: { command: ["true"] }, periodSeconds: 5 },
          },
        ],
      },
    }));
    plane.setDesired(pods);
    await waitFor(
      "30 ready pods",
      () => pods.every((pod) => plane.statusOf(pod.metadata.uid)?.containerStatuses?.[0]?.ready),
      180_000,
    );
    await settle(5_000);
    const loaded = await steadyResidentKiB(agent.pid!);

    const report = `bare node ${baseline} KiB, agent idle ${idle} KiB (${(idle / baseline).toFixed(2)}×), ` +
      `with 30 pods ${loaded} KiB (${(loaded / baseline).toFixed(2)}×)`;
    console.log(report);
    expect(output).toContain("connected to control plane");
    expect(idle, report).toBeLessThanOrEqual(baseline * 1.5);
    expect(loaded, report).toBeLessThanOrEqual(baseline * 1.8);
    agent.kill("SIGTERM");
  });
});
