// `npm start`: the local control plane under wrangler dev (HTTPS), a kubeconfig
// for it in .kube/config, and a local agent on this machine's Docker, joined
// as a node with its own credential. It says what it is waiting for.
//
// Environment: PORT (default 8787), NODE_NAME (default the hostname),
// KUBEFLARE_STATE_DIR (default .state; another folder is another cluster, and
// its kubeconfig is written there instead of .kube/config).
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot, startControlPlane, stopProcessTree, writeKubeconfig } from "./lib/local-cluster.mjs";
import { agentCommand, waitForNodeReady } from "./lib/local-agent.mjs";

const port = Number(process.env.PORT ?? 8787);
const stateDir = process.env.KUBEFLARE_STATE_DIR ? resolve(process.env.KUBEFLARE_STATE_DIR) : join(projectRoot, ".state");
const kubeconfig = process.env.KUBEFLARE_STATE_DIR ? join(stateDir, "kubeconfig") : join(projectRoot, ".kube", "config");
const nodeName = (process.env.NODE_NAME ?? hostname()).toLowerCase();

const step = (msg) => console.log(`» ${msg}`);

const url = `https://127.0.0.1:${port}`;
step(`starting the control plane (wrangler dev) on ${url} …`);
const cp = await startControlPlane({
  stateDir,
  port,
  kubeconfig,
  quiet: true,
  onWait: (seconds) => step(`waiting for wrangler dev to answer on ${url} … ${seconds} s`),
});
writeKubeconfig(kubeconfig, { server: cp.url, caFile: cp.caFile, token: cp.token });
step(`control plane is up; state persists in ${stateDir}`);

let agent;
let stopping = false;
// Ctrl-C may come while the node is still joining: wrangler runs in its own
// process group, so it is stopped here, not by the terminal.
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  step("stopping (pods keep running in Docker; the next start adopts them) …");
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((r) => agent.once("exit", r));
    agent.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  await stopProcessTree(cp.process);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
const dockerUp = (() => {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
const agentBin = join(projectRoot, "agent", "bin", "agent.mjs");
if (!dockerUp) {
  step("Docker is not running: no local node agent (start dockerd, then `npm start` again, to run pods here)");
} else {
  step("building the node agent …");
  execFileSync(process.execPath, [join(projectRoot, "agent", "build.mjs")], { stdio: "inherit" });
  if (existsSync(agentBin)) {
    try {
      const args = await agentCommand(cp, { nodeName, stateDir: join(stateDir, "agent"), say: step });
      step(`starting the local node agent ${nodeName} against the local Docker …`);
      agent = spawn(process.execPath, [agentBin, ...args], { stdio: "inherit" });
      agent.on("exit", (code, signal) => {
        if (!stopping) step(`the local agent exited (${code ?? signal}); the control plane keeps running`);
      });
      await waitForNodeReady(cp, { nodeName, agent, say: step });
    } catch (error) {
      step(`no local node agent: ${error.message}`);
    }
  }
}

console.log(`
The control plane is running. In another terminal:

  export KUBECONFIG=${kubeconfig}
  kubectl get nodes
  kubectl create deployment hello --image=busybox:1.37 --replicas=2 -- sleep 3600
  kubectl get pods -o wide

Press Ctrl-C to stop.`);

cp.process.on("exit", (code) => {
  if (stopping) return;
  console.error(`wrangler dev exited (${code})\n${cp.output().slice(-2000)}`);
  process.exit(1);
});
