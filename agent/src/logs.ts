/**
 * `kubectl logs` on this node: which container instance to read (current or
 * previous), the Docker logs query for the Kubernetes options, and a readable
 * stream of the log bytes (demultiplexed, cut at limitBytes).
 */
import type { Readable } from "node:stream";
import { Transform, type TransformCallback } from "node:stream";
import type { Pod, PodStatus } from "../../src/schema/core.js";
import type { DockerClient } from "./docker/client.js";
import { DockerStreamDemuxer } from "./docker/demux.js";
import type { ObservedContainer } from "./pod-runtime/types.js";

/** PodLogOptions, as the control plane forwards them. */
export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

export type LogTarget =
  | { ok: true; containerId: string; tty: boolean }
  | { ok: false; code: 400 | 404; reason: "BadRequest" | "NotFound"; message: string };

export interface LogTargetInput {
  pod: Pod | undefined;
  podName: string;
  containerName?: string;
  previous: boolean;
  /** Instances of a container of this pod, newest first. */
  instances(containerName: string): ObservedContainer[];
  status?: PodStatus;
}

const badRequest = (message: string): LogTarget => ({ ok: false, code: 400, reason: "BadRequest", message });

/** Picks the instance the kubelet would read, or the error it would answer with. */
export function selectLogTarget(input: LogTargetInput): LogTarget {
  const { pod, podName } = input;
  if (!pod) return { ok: false, code: 404, reason: "NotFound", message: `pods "${podName}" not found` };
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  let name = input.containerName;
  if (!name) {
    if (pod.spec.containers.length !== 1) {
      return badRequest(`a container name must be specified for pod ${podName}, choose one of: [${pod.spec.containers.map((c) => c.name).join(" ")}]`);
    }
    name = pod.spec.containers[0].name;
  }
  if (!names.includes(name)) return badRequest(`container ${name} is not valid for pod ${podName}`);
  const instances = input.instances(name);
  const status = [...(input.status?.containerStatuses ?? []), ...(input.status?.initContainerStatuses ?? [])].find(
    (s) => s.name === name,
  );
  if (input.previous) {
    // "Previous" is what the status shows as lastState: the instance that terminated last.
    const lastId = status?.lastState?.terminated?.containerID?.replace(/^docker:\/\//, "");
    const instance = instances.find((c) => c.id === lastId);
    if (!instance) return badRequest(`previous terminated container "${name}" in pod "${podName}" not found`);
    return { ok: true, containerId: instance.id, tty: instance.tty };
  }
  const current = instances[0];
  if (!current || (current.state === "created" && !current.error)) {
    const reason = status?.state?.waiting?.reason ?? "ContainerCreating";
    return badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  return { ok: true, containerId: current.id, tty: current.tty };
}

/** Docker's /containers/{id}/logs query for PodLogOptions. */
export function dockerLogsQuery(options: LogOptions, nowMs: number): Record<string, string | number | boolean> {
  const query: Record<string, string | number | boolean> = {
    stdout: true,
    stderr: true,
    follow: !!options.follow,
    timestamps: !!options.timestamps,
    tail: options.tailLines !== undefined && options.tailLines >= 0 ? options.tailLines : "all",
  };
  if (options.sinceTime) {
    const since = Date.parse(options.sinceTime);
    if (!Number.isNaN(since)) query.since = (since / 1000).toFixed(3);
  } else if (options.sinceSeconds !== undefined && options.sinceSeconds > 0) {
    query.since = ((nowMs - options.sinceSeconds * 1000) / 1000).toFixed(3);
  }
  return query;
}

/** Passes the first `limit` bytes, then ends the stream (and lets the caller stop the source). */
export class ByteLimit extends Transform {
  private remaining: number;

  constructor(limit: number, private readonly onLimit: () => void) {
    super();
    this.remaining = limit;
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.remaining <= 0) return callback();
    const part = chunk.length > this.remaining ? chunk.subarray(0, this.remaining) : chunk;
    this.remaining -= part.length;
    this.push(part);
    if (this.remaining <= 0) {
      this.push(null);
      this.onLimit();
    }
    callback();
  }
}

/** Opens the container's log as one byte stream; aborting `signal` stops a follow. */
export async function openLogStream(
  docker: DockerClient,
  target: { containerId: string; tty: boolean },
  options: LogOptions,
  signal: AbortSignal,
): Promise<Readable> {
  const source = await docker.logs(target.containerId, dockerLogsQuery(options, Date.now()), signal);
  let stream: Readable = source;
  if (!target.tty) {
    const demuxer = new DockerStreamDemuxer();
    source.on("error", (error) => demuxer.destroy(error));
    stream = source.pipe(demuxer);
  }
  if (options.limitBytes !== undefined && options.limitBytes > 0) {
    const limited = new ByteLimit(options.limitBytes, () => source.destroy());
    stream.on("error", (error) => limited.destroy(error));
    stream = stream.pipe(limited);
  }
  return stream;
}
