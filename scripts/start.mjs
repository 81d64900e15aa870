// `npm start`: the local control plane under wrangler dev (HTTPS), a kubeconfig
// for it in .kube/config, and a local agent on this machine's Docker.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { projectRoot, startControlPlane, stopProcessTree, writeKubeconfig } from "./lib/local-cluster.mjs";

const port = Number(process.env.PORT ?? 8787);
const stateDir = join(projectRoot, ".state");
const kubeconfig = join(projectRoot, ".kube", "config");

const step = (msg) => console.log(`» ${msg}`);

step(`starting the control plane (wrangler dev) on https://127.0.0.1:${port} …`);
const cp = await startControlPlane({ stateDir, port, kubeconfig, quiet: true });
writeKubeconfig(kubeconfig, { server: cp.url, caFile: cp.caFile, token: cp.token });
step(`control plane is up; state persists in ${stateDir}`);

let agent;
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
  step("building and starting a local node agent against the local Docker …");
  execFileSync(process.execPath, [join(projectRoot, "agent", "build.mjs")], { stdio: "inherit" });
  if (existsSync(agentBin)) {
    agent = spawn(
      process.execPath,
      [agentBin, "run", "--server", cp.url, "--token", cp.token, "--ca-file", cp.caFile, "--name", process.env.NODE_NAME ?? hostname(),
        "--state-dir", join(stateDir, "agent")],
      { stdio: "inherit" },
    );
  }
}

console.log(`
The control plane is running. In another terminal:

  export KUBECONFIG=${kubeconfig}
  kubectl get nodes
  kubectl create deployment hello --image=busybox --replicas=2 -- sleep 3600
  kubectl get pods -o wide

Press Ctrl-C to stop.`);

const shutdown = async () => {
  if (agent && agent.exitCode === null) agent.kill("SIGTERM");
  await stopProcessTree(cp.process);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
cp.process.on("exit", (code) => {
  console.error(`wrangler dev exited (${code})\n${cp.output().slice(-2000)}`);
  process.exit(1);
});
