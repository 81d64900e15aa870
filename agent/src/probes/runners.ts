/**
 * Running one probe: an HTTP GET to the pod IP, a TCP connect, or a command
 * through Docker exec. Each returns success and, on failure, the message the
 * kubelet would put in its Unhealthy event.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, Probe } from "../../../src/schema/core.js";
import type { DockerClient } from "../docker/client.js";
import { DockerStreamDemuxer } from "../docker/demux.js";

export interface ProbeTarget {
  podIP: string;
  containerId: string;
  container: Container;
  docker: DockerClient;
}

export interface ProbeOutcome {
  success: boolean;
  output: string;
}

/** A named port ("http") resolves through the container's ports, as in Kubernetes. */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(probe: Probe, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, target, timeoutMs);
  if (probe.exec) return execProbe(probe.exec.command ?? [], target, timeoutMs);
  // gRPC probes are not implemented; passing keeps such containers alive rather than killing them.
  return { success: true, output: "" };
}

function httpProbe(action: NonNullable<Probe["httpGet"]>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.container);
  const host = action.host || target.podIP;
  const https = (action.scheme ?? "HTTP").toUpperCase() === "HTTPS";
  const path = action.path || "/";
  const url = `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  if (port === undefined) return Promise.resolve({ success: false, output: `unknown port ${action.port}` });
  const headers: Record<string, string> = { "User-Agent": "kube-probe/1.32", Accept: "*/*" };
  for (const header of action.httpHeaders ?? []) headers[header.name] = header.value;
  return new Promise((resolve) => {
    const request = (https ? httpsRequest : httpRequest)(
      { host, port, path, method: "GET", headers, agent: false, timeout: timeoutMs, rejectUnauthorized: false },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        response.on("end", () =>
          resolve(
            status >= 200 && status < 400
              ? { success: true, output: "" }
              : { success: false, output: `HTTP probe failed with statuscode: ${status}` },
          ),
        );
        response.on("error", () => resolve({ success: false, output: `Get "${url}": connection reset` }));
      },
    );
    request.on("timeout", () => {
      request.destroy();
      resolve({ success: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    request.on("error", (error) => resolve({ success: false, output: `Get "${url}": ${error.message}` }));
    request.end();
  });
}

function tcpProbe(action: NonNullable<Probe["tcpSocket"]>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.container);
  const host = action.host || target.podIP;
  if (port === undefined) return Promise.resolve({ success: false, output: `unknown port ${action.port}` });
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ success: false, output: `dial tcp ${host}:${port}: i/o timeout` }), timeoutMs);
    socket.on("connect", () => done({ success: true, output: "" }));
    socket.on("error", (error) => done({ success: false, output: `dial tcp ${host}:${port}: ${error.message}` }));
  });
}

async function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const execId = await target.docker.execCreate(target.containerId, command);
    const stream = await target.docker.execStart(execId, abort.signal);
    const output = await collect(stream, 10 * 1024);
    if (abort.signal.aborted) return { success: false, output: `command timed out after ${timeoutMs / 1000}s` };
    const { ExitCode } = await target.docker.execInspect(execId);
    if (ExitCode === 0) return { success: true, output };
    return { success: false, output: output.trim() || `command ${JSON.stringify(command)} exited with ${ExitCode}` };
  } catch (error) {
    if (abort.signal.aborted) return { success: false, output: `command timed out after ${timeoutMs / 1000}s` };
    return { success: false, output: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads an exec's multiplexed output, up to `limit` characters. */
function collect(source: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const demuxer = new DockerStreamDemuxer();
    demuxer.on("data", (chunk: Buffer) => {
      if (output.length < limit) output += chunk.toString("utf8");
    });
    demuxer.on("end", () => resolve(output.slice(0, limit)));
    source.on("error", reject);
    source.pipe(demuxer);
  });
}
