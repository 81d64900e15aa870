/**
 * Joining: the agent trades a join token for its own node credential
 * (POST /kubeflare/v1/join, docs/security.md) and keeps that credential in
 * its state directory (mode 0600), so later runs need no token on the
 * command line. The join token is spent once and never stored.
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultNodeName, defaultStateDir, type CommandOptions } from "../config.js";
import type { AgentOptions } from "../index.js";
import type { Logger } from "../log.js";
import { ControlPlaneClient, TransportError } from "./client.js";

export const CREDENTIAL_FILE = "node-credential.json";

export interface StoredCredential {
  /** The control plane that issued it: the credential is never sent anywhere else. */
  server: string;
  nodeName: string;
  /** The credential's id (its public half), for `DELETE /kubeflare/v1/tokens/{id}`. */
  id: string;
  token: string;
  joinedAt: string;
}

/** Why joining or finding a credential failed, in one line a person can act on. */
export class JoinError extends Error {
  override name = "JoinError";
}

const sameServer = (a: string, b: string) => new URL(a).href.replace(/\/$/, "") === new URL(b).href.replace(/\/$/, "");

export async function readCredential(stateDir: string): Promise<StoredCredential | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, CREDENTIAL_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new JoinError(`cannot read ${join(stateDir, CREDENTIAL_FILE)}: ${(error as Error).message}`);
  }
  try {
    const c = JSON.parse(text) as StoredCredential;
    if (typeof c.token === "string" && typeof c.nodeName === "string" && typeof c.server === "string") return c;
  } catch {
    // fall through: a damaged file is reported, never silently replaced
  }
  throw new JoinError(`${join(stateDir, CREDENTIAL_FILE)} is not a node credential; remove it and join again`);
}

/** Written to a private temporary file first, then renamed, so a crash never leaves half a credential. */
export async function writeCredential(stateDir: string, credential: StoredCredential): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, CREDENTIAL_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}

/** What the control plane's refusal means for the person running `join`. */
export function joinFailure(status: number, body: unknown, nodeName: string): string {
  const message = body && typeof body === "object" && "message" in body ? String((body as { message: unknown }).message) : "";
  if (status === 401) return "the join token was refused (unknown, expired, revoked or already used up); ask an admin for a new one";
  if (status === 409) return `node "${nodeName}" has already joined; delete that Node (or revoke its credential) first, or join under another --name`;
  if (status === 403) return `the control plane does not allow this join token to join nodes${message ? `: ${message}` : ""}`;
  return `the control plane answered HTTP ${status}${message ? `: ${message}` : ""}`;
}

export async function requestNodeCredential(options: {
  server: string;
  joinToken: string;
  nodeName: string;
  ca?: string | Buffer;
}): Promise<StoredCredential> {
  const client = new ControlPlaneClient({ server: options.server, token: options.joinToken, ca: options.ca });
  try {
    const r = await client.request("POST", "/kubeflare/v1/join", { nodeName: options.nodeName }, { timeoutMs: 30_000 });
    if (r.status !== 201 || typeof r.body?.token !== "string") throw new JoinError(`join failed: ${joinFailure(r.status, r.body, options.nodeName)}`);
    return { server: options.server, nodeName: options.nodeName, id: r.body.id, token: r.body.token, joinedAt: new Date().toISOString() };
  } catch (error) {
    if (error instanceof TransportError) throw new JoinError(`join failed: cannot reach the control plane at ${options.server}: ${error.message}`);
    throw error;
  } finally {
    client.close();
  }
}

/**
 * The token the agent runs with. `join` trades the join token for a node
 * credential, unless this state directory already holds one for the node
 * (so the same join command can start the agent again); `run` uses --token
 * when given, else the stored credential.
 */
export async function resolveToken(command: "run" | "join", options: CommandOptions, log: Logger): Promise<AgentOptions> {
  const statedDir = options.stateDir ? resolve(options.stateDir) : undefined;
  let stored = statedDir ? await readCredential(statedDir) : undefined;
  const nodeName = options.nodeName ?? stored?.nodeName ?? defaultNodeName();
  const stateDir = statedDir ?? resolve(defaultStateDir(nodeName));
  stored ??= statedDir ? undefined : await readCredential(stateDir);
  const file = join(stateDir, CREDENTIAL_FILE);
  if (stored && stored.nodeName !== nodeName)
    throw new JoinError(`${file} holds the credential of node "${stored.nodeName}", not "${nodeName}"; use --name ${stored.nodeName} or another --state-dir`);
  if (stored && !sameServer(stored.server, options.server))
    throw new JoinError(`${file} holds a credential for ${stored.server}, not ${options.server}; it is never sent elsewhere`);

  if (command === "run") {
    if (options.token) return { ...options, token: options.token, nodeName, stateDir };
    if (!stored) throw new JoinError(`no --token and no node credential in ${stateDir}: join first (kubeflare-agent join --token <join token>) or pass --token`);
    return { ...options, token: stored.token, nodeName, stateDir };
  }

  if (stored) {
    log(`already joined as node ${nodeName} (credential in ${file}); the join token is not used again`);
    return { ...options, token: stored.token, nodeName, stateDir };
  }
  if (!options.token) throw new JoinError("join needs --token (a join token from an admin)");
  const ca = options.ca ?? (options.caFile ? await readFile(options.caFile) : undefined);
  const credential = await requestNodeCredential({ server: options.server, joinToken: options.token, nodeName, ca });
  await writeCredential(stateDir, credential);
  log(`joined as node ${nodeName}; credential ${credential.id} stored in ${file} (later: kubeflare-agent run --name ${nodeName} --state-dir ${stateDir} --server ${options.server})`);
  return { ...options, token: credential.token, nodeName, stateDir };
}
