// The local node agent of `npm start`: it joins like any other node (a join
// token minted with the admin token, traded for the node's own credential,
// which later starts reuse), and `npm start` waits for its Node to be Ready.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { WAIT_REPORT_MS } from "./local-cluster.mjs";

/** agent/src/controlplane/join.ts keeps the credential under this name. */
const CREDENTIAL_FILE = "node-credential.json";

/** A JSON request to the control plane as the admin (or with `token`); resolves { status, body }. */
export function controlPlaneRequest(cp, method, path, body, token = cp.token) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${cp.url}${path}`,
      {
        method,
        ca: cp.ca,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    if (payload) req.write(payload);
    req.end();
  });
}

function readStoredCredential(stateDir) {
  const file = join(stateDir, CREDENTIAL_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return { file, ...JSON.parse(readFileSync(file, "utf8")) };
  } catch {
    return { file };
  }
}

/**
 * The agent's command line for this start: `run` with the credential stored
 * by an earlier start when it still belongs to this node and control plane
 * and is accepted, otherwise `join` with a fresh one-use join token. Since
 * this is the local admin's own machine, a credential it can no longer use
 * (another node name, another port, lost state dir) is revoked rather than
 * left to block the join with 409.
 */
export async function agentCommand(cp, { nodeName, stateDir, say }) {
  const common = ["--server", cp.url, "--ca-file", cp.caFile, "--name", nodeName, "--state-dir", stateDir];
  const stored = readStoredCredential(stateDir);
  if (stored) {
    const fits = stored.token && stored.nodeName === nodeName && stored.server === cp.url;
    if (fits) {
      const probe = await controlPlaneRequest(cp, "GET", `/api/v1/nodes/${encodeURIComponent(nodeName)}`, undefined, stored.token);
      if (probe.status !== 401) {
        say(`node ${nodeName} reuses its credential (${stored.file})`);
        return ["run", ...common];
      }
      say(`the stored credential of node ${nodeName} was revoked (the Node was deleted?): joining again`);
    } else {
      say(`the stored credential is for node ${stored.nodeName ?? "?"} at ${stored.server ?? "?"}: replacing it`);
    }
    if (stored.id) await controlPlaneRequest(cp, "DELETE", `/kubeflare/v1/tokens/${encodeURIComponent(stored.id)}`);
    rmSync(stored.file, { force: true });
  }
  await revokeCredentialsOf(cp, nodeName, say);
  const minted = await controlPlaneRequest(cp, "POST", "/kubeflare/v1/jointokens", {
    uses: 1,
    expirationSeconds: 600,
    description: `npm start: local agent ${nodeName}`,
  });
  if (minted.status !== 201 || typeof minted.body?.token !== "string")
    throw new Error(`cannot create a join token (HTTP ${minted.status}): ${minted.body?.message ?? ""}`);
  say(`node ${nodeName} joins with a one-use join token (${minted.body.id}); its credential is kept in ${stateDir}`);
  return ["join", "--token", minted.body.token, ...common];
}

/** A node credential whose secret is not on this machine any more would make the join a 409. */
async function revokeCredentialsOf(cp, nodeName, say) {
  const list = await controlPlaneRequest(cp, "GET", "/kubeflare/v1/tokens");
  for (const t of list.body?.items ?? []) {
    if (t.type !== "node" || t.nodeName !== nodeName) continue;
    say(`revoking node ${nodeName}'s earlier credential ${t.id} (its secret is not in this state folder)`);
    await controlPlaneRequest(cp, "DELETE", `/kubeflare/v1/tokens/${encodeURIComponent(t.id)}`);
  }
}

/** "not registered yet", "NotReady: <reason>" or "Ready", from the Node object. */
export function nodeState(node) {
  if (!node) return "not registered yet";
  const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
  if (ready?.status === "True") return "Ready";
  return `registered, not Ready yet${ready?.reason ? ` (${ready.reason})` : ""}`;
}

/**
 * Waits for the Node to be Ready, saying what it waits for when that changes
 * and every few seconds otherwise. Resolves true once Ready, false when the
 * agent exits or `timeoutMs` passes.
 */
export async function waitForNodeReady(cp, { nodeName, agent, say, timeoutMs = 120_000 }) {
  const started = Date.now();
  let last = "";
  let nextReport = started + WAIT_REPORT_MS;
  for (;;) {
    if (agent.exitCode !== null || agent.signalCode !== null) {
      say(`the local agent exited (${agent.exitCode ?? agent.signalCode}): node ${nodeName} will not run pods; see its output above`);
      return false;
    }
    let state = last;
    try {
      const r = await controlPlaneRequest(cp, "GET", `/api/v1/nodes/${encodeURIComponent(nodeName)}`);
      state = r.status === 404 ? nodeState(undefined) : r.status === 200 ? nodeState(r.body) : last;
    } catch {
      // the control plane is busy starting; ask again
    }
    if (state === "Ready") {
      say(`node ${nodeName} is Ready`);
      return true;
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (state !== last || Date.now() >= nextReport) {
      say(`waiting for node ${nodeName} to be Ready: ${state || "asking"} … ${seconds} s`);
      last = state;
      nextReport = Date.now() + WAIT_REPORT_MS;
    }
    if (Date.now() - started > timeoutMs) {
      say(`node ${nodeName} is still not Ready after ${seconds} s; carrying on (kubectl get nodes shows it)`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
