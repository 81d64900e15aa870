/**
 * A small in-test stand-in for the control plane's side of
 * docs/agent-protocol.md: the Kubernetes endpoints the agent calls (nodes,
 * node status, leases, events, pod deletion) and the three /kubeflare/v1
 * node endpoints (desired long-poll, batched pod status, streams). It records
 * what the agent sent so tests can assert on it. Listens on 127.0.0.1 only,
 * over HTTPS with a throwaway CA (made with the openssl CLI) or plain HTTP.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface RecordedStream {
  contentType: string;
  body: string;
  done: boolean;
}

/** A CA and a server certificate for 127.0.0.1, valid for a day. */
export async function makeCertificates(): Promise<{ dir: string; caFile: string; key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), "kubeflare-ca-"));
  const openssl = (...args: string[]) =>
    run("openssl", args, { cwd: dir }).catch((error) => {
      throw new Error(`the HTTPS fake control plane needs the openssl CLI: ${(error as Error).message}`);
    });
  await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=kubeflare-test-ca");
  await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await writeFile(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  await openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    key: await readFile(join(dir, "server.key")),
    cert: await readFile(join(dir, "server.pem")),
  };
}

export class FakeControlPlane {
  readonly token = "test-token";
  nodes = new Map<string, any>();
  nodeStatusUpdates: any[] = [];
  leases = new Map<string, any>();
  leaseRenewals = 0;
  events: any[] = [];
  statusReports: any[] = [];
  deletions: { namespace: string; name: string; body: any }[] = [];
  streams = new Map<string, RecordedStream>();
  /** When set, a stream upload is answered once its body reaches this many bytes (a reader hanging up). */
  hangUpStreamsAfterBytes?: number;

  private version = 1;
  private pods: any[] = [];
  private configMaps: any[] = [];
  private secrets: any[] = [];
  private commands: any[] = [];
  private waiters = new Set<() => void>();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly tls?: { key: Buffer; cert: Buffer }) {}

  get url(): string {
    return `${this.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  /** Listens (again, on the same port after stop()). */
  async start(): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    };
    this.server = this.tls ? createHttpsServer({ key: this.tls.key, cert: this.tls.cert }, handler) : createHttpServer(handler);
    this.server.on(this.tls ? "secureConnection" : "connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Goes away abruptly, like a control plane that became unreachable. */
  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setDesired(pods: any[], configMaps: any[] = [], secrets: any[] = []): void {
    this.pods = pods;
    this.configMaps = configMaps;
    this.secrets = secrets;
    this.version++;
    this.wake();
  }

  desiredPods(): any[] {
    return this.pods;
  }

  sendCommand(command: any): void {
    this.commands.push(command);
    this.wake();
  }

  /** Latest status reported for a pod uid. */
  statusOf(uid: string): any {
    for (let i = this.statusReports.length - 1; i >= 0; i--) if (this.statusReports[i].uid === uid) return this.statusReports[i].status;
    return undefined;
  }

  private wake() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    if (request.headers.authorization !== `Bearer ${this.token}`) return json(response, 401, { kind: "Status", code: 401 });
    const url = new URL(request.url ?? "/", "http://x");
    const path = url.pathname;
    const method = request.method ?? "GET";
    let match: RegExpMatchArray | null;

    if ((match = path.match(/^\/kubeflare\/v1\/nodes\/([^/]+)\/streams\/([^/]+)$/)) && method === "POST") {
      return this.receiveStream(decodeURIComponent(match[2]), request, response);
    }
    const body = await readJson(request);

    if (path === "/api/v1/nodes" && method === "POST") {
      if (this.nodes.has(body.metadata.name)) return json(response, 409, { kind: "Status", reason: "AlreadyExists", code: 409 });
      const node = { ...body, metadata: { ...body.metadata, uid: `node-uid-${body.metadata.name}`, resourceVersion: "1" } };
      this.nodes.set(body.metadata.name, node);
      return json(response, 201, node);
    }
    if ((match = path.match(/^\/api\/v1\/nodes\/([^/]+)(\/status)?$/))) {
      const name = decodeURIComponent(match[1]);
      const node = this.nodes.get(name);
      if (!node) return json(response, 404, { kind: "Status", reason: "NotFound", code: 404 });
      if (method === "GET") return json(response, 200, node);
      if (method === "PUT") {
        const updated = { ...node, ...(match[2] ? { status: body.status } : { metadata: body.metadata }) };
        updated.metadata = { ...updated.metadata, resourceVersion: String(Number(node.metadata.resourceVersion) + 1) };
        if (match[2]) this.nodeStatusUpdates.push(body.status);
        this.nodes.set(name, updated);
        return json(response, 200, updated);
      }
    }
    if ((match = path.match(/^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/kube-node-lease\/leases(?:\/([^/]+))?$/))) {
      if (method === "PUT") {
        if (!this.leases.has(match[1])) return json(response, 404, { kind: "Status", code: 404 });
        this.leaseRenewals++;
        this.leases.set(match[1], body);
        return json(response, 200, body);
      }
      if (method === "POST") {
        this.leases.set(body.metadata.name, body);
        return json(response, 201, body);
      }
    }
    if ((match = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/events$/)) && method === "POST") {
      this.events.push(body);
      return json(response, 201, body);
    }
    if ((match = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/)) && method === "DELETE") {
      const [namespace, name] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
      this.deletions.push({ namespace, name, body });
      const pod = this.pods.find((p) => p.metadata.name === name && p.metadata.namespace === namespace);
      if (!pod) return json(response, 404, { kind: "Status", code: 404 });
      if (body?.preconditions?.uid && body.preconditions.uid !== pod.metadata.uid) return json(response, 409, { kind: "Status", code: 409 });
      this.setDesired(this.pods.filter((p) => p !== pod), this.configMaps, this.secrets);
      return json(response, 200, pod);
    }
    if ((match = path.match(/^\/kubeflare\/v1\/nodes\/([^/]+)\/desired$/)) && method === "GET") {
      return this.longPoll(url, response);
    }
    if ((match = path.match(/^\/kubeflare\/v1\/nodes\/([^/]+)\/podstatus$/)) && method === "POST") {
      const results = (body.items ?? []).map((item: any) => {
        const known = this.pods.some((p) => p.metadata.uid === item.uid);
        if (known) this.statusReports.push(item);
        return { namespace: item.namespace, name: item.name, code: known ? 200 : 404 };
      });
      return json(response, 200, { results });
    }
    return json(response, 404, { kind: "Status", code: 404, message: `fake control plane: no route ${method} ${path}` });
  }

  private async longPoll(url: URL, response: ServerResponse) {
    const timeoutSeconds = Number(url.searchParams.get("timeoutSeconds") ?? 30);
    const known = url.searchParams.get("version");
    if (known === String(this.version) && this.commands.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutSeconds * 1000);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (response.destroyed) return;
    const commands = this.commands.splice(0);
    if (url.searchParams.get("version") === String(this.version)) {
      return json(response, 200, { version: String(this.version), unchanged: true, commands });
    }
    return json(response, 200, {
      version: String(this.version),
      unchanged: false,
      pods: this.pods,
      configMaps: this.configMaps,
      secrets: this.secrets,
      commands,
    });
  }

  private receiveStream(id: string, request: IncomingMessage, response: ServerResponse) {
    const stream: RecordedStream = { contentType: String(request.headers["content-type"]), body: "", done: false };
    this.streams.set(id, stream);
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      stream.done = true;
      json(response, 200, {});
    };
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      stream.body += chunk;
      if (this.hangUpStreamsAfterBytes !== undefined && stream.body.length >= this.hangUpStreamsAfterBytes) answer();
    });
    request.on("end", answer);
  }
}

function json(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

export async function removeCertificates(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
