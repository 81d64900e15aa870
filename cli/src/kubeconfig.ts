/**
 * The CLI talks to the cluster the way kubectl does: from the current context
 * of the kubeconfig (KUBECONFIG or ~/.kube/config, or --kubeconfig), with its
 * server, CA and bearer token. It also writes kubeconfigs for new users.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { CliError } from "./errors.js";

export interface ClusterAccess {
  server: string;
  /** PEM of the server's CA, when the kubeconfig names one. */
  ca?: Buffer;
  token: string;
  /** Where it came from, for error messages. */
  source: string;
}

export function kubeconfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit) return resolve(explicit);
  const first = env.KUBECONFIG?.split(":").find(Boolean);
  return first ? resolve(first) : resolve(homedir(), ".kube", "config");
}

type Named<T> = { name: string } & T;
interface KubeconfigDoc {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user: string; namespace?: string } }>[];
  clusters?: Named<{ cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string } }>[];
  users?: Named<{ user: { token?: string; tokenFile?: string } }>[];
}

export function loadClusterAccess(path: string, contextName?: string): ClusterAccess {
  if (!existsSync(path)) throw new CliError(`no kubeconfig at ${path} (run npm start, or pass --kubeconfig)`);
  let doc: KubeconfigDoc;
  try {
    doc = (parse(readFileSync(path, "utf8")) ?? {}) as KubeconfigDoc;
  } catch (e) {
    throw new CliError(`${path} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const name = contextName ?? doc["current-context"];
  if (!name) throw new CliError(`${path} has no current-context (pass --context)`);
  const context = doc.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new CliError(`context "${name}" not found in ${path}`);
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new CliError(`cluster "${context.cluster}" of context "${name}" has no server in ${path}`);
  const user = doc.users?.find((u) => u.name === context.user)?.user;
  const token = user?.token ?? (user?.tokenFile ? readFileSync(resolve(dirname(path), user.tokenFile), "utf8").trim() : undefined);
  if (!token) throw new CliError(`user "${context.user}" of context "${name}" has no token in ${path}`);
  let ca: Buffer | undefined;
  if (cluster["certificate-authority-data"]) ca = Buffer.from(cluster["certificate-authority-data"], "base64");
  else if (cluster["certificate-authority"]) ca = readFileSync(resolve(dirname(path), cluster["certificate-authority"]));
  return { server: cluster.server.replace(/\/+$/, ""), ca, token, source: path };
}

export interface NewKubeconfig {
  clusterName: string;
  server: string;
  ca?: Buffer;
  user: string;
  token: string;
  namespace?: string;
}

/** A self-contained kubeconfig (CA inlined) that can be handed to its user. */
export function renderKubeconfig(k: NewKubeconfig): string {
  const context = `${k.user}@${k.clusterName}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": context,
    clusters: [
      {
        name: k.clusterName,
        cluster: { server: k.server, ...(k.ca ? { "certificate-authority-data": k.ca.toString("base64") } : {}) },
      },
    ],
    users: [{ name: k.user, user: { token: k.token } }],
    contexts: [{ name: context, context: { cluster: k.clusterName, user: k.user, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
  });
}

export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
}
