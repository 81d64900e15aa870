/**
 * The Docker Engine API calls the agent makes, over docker-modem (the
 * transport layer of dockerode) on the local socket. Typed with only the
 * fields the agent reads. Paths carry no API version, so the daemon's own
 * (newest) version answers; the fields read exist in every version since 1.41.
 */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import Modem from "docker-modem";

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  Created: number;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: {
    Status: string;
    Running: boolean;
    OOMKilled: boolean;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Labels: Record<string, string> | null; Tty: boolean; Env?: string[]; Image: string };
  HostConfig: { NetworkMode: string; Memory?: number; NanoCpus?: number; Binds?: string[] | null };
  NetworkSettings: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

export interface PullProgress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

export class DockerError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "DockerError";
  }
}

type Query = Record<string, string | number | boolean | string[] | Record<string, unknown> | undefined>;

interface CallOptions {
  query?: Query;
  body?: unknown;
  /** Status codes that count as success (besides 200/201/204). */
  ok?: number[];
  stream?: boolean;
  file?: Readable;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export class DockerClient {
  private readonly modem: Modem;

  private readonly observe?: (method: string, path: string, seconds: number, ok: boolean) => void;

  constructor(options: { socketPath?: string; observe?: (method: string, path: string, seconds: number, ok: boolean) => void } = {}) {
    this.modem = new Modem(options.socketPath ? { socketPath: options.socketPath } : undefined);
    this.observe = options.observe;
  }

  private call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const statusCodes: Record<number, boolean> = { 200: true, 201: true, 204: true };
    for (const code of options.ok ?? []) statusCodes[code] = true;
    const query: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) query[key] = value;
    const started = performance.now();
    const done = (ok: boolean) => this.observe?.(method, path, (performance.now() - started) / 1000, ok);
    return new Promise((resolve, reject) => {
      this.modem.dial(
        {
          path: `${path}?`,
          method,
          // docker-modem takes the query and the JSON body from one object.
          options: { _query: query, _body: options.body ?? {} },
          statusCodes,
          isStream: options.stream,
          file: options.file,
          headers: options.headers,
          abortSignal: options.signal,
        },
        (error, result) => {
          done(!error);
          if (error) {
            const json = error.json as { message?: string } | undefined;
            const message = json?.message ?? error.message;
            reject(new DockerError(error.statusCode, String(message).trim()));
          } else resolve(result as T);
        },
      );
    });
  }

  ping(): Promise<unknown> {
    return this.call("GET", "/_ping");
  }

  version(): Promise<{ Version: string; ApiVersion: string; Os: string; Arch: string; KernelVersion: string }> {
    return this.call("GET", "/version");
  }

  info(): Promise<{ NCPU: number; MemTotal: number; OperatingSystem: string; KernelVersion: string; Architecture: string }> {
    return this.call("GET", "/info");
  }

  listContainers(labels: string[]): Promise<ContainerSummary[]> {
    return this.call("GET", "/containers/json", { query: { all: true, filters: { label: labels } } });
  }

  async inspectContainer(id: string): Promise<ContainerInspect | undefined> {
    try {
      return await this.call<ContainerInspect>("GET", `/containers/${id}/json`);
    } catch (error) {
      if (error instanceof DockerError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    const created = await this.call<{ Id: string }>("POST", "/containers/create", { query: { name }, body });
    return created.Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call("POST", `/containers/${id}/start`, { ok: [304] });
  }

  /** SIGTERM (or the image's STOPSIGNAL), then SIGKILL after `timeoutSeconds`; resolves once the container is stopped. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.call("POST", `/containers/${id}/stop`, { query: { t: timeoutSeconds }, ok: [304] });
    } catch (error) {
      if (error instanceof DockerError && error.statusCode === 404) return;
      throw error;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.call("DELETE", `/containers/${id}`, { query: { force: true, v: true } });
    } catch (error) {
      // 404: already gone; 409: removal already in progress.
      if (error instanceof DockerError && (error.statusCode === 404 || error.statusCode === 409)) return;
      throw error;
    }
  }

  async inspectImage(name: string): Promise<ImageInspect | undefined> {
    try {
      return await this.call<ImageInspect>("GET", `/images/${encodeURIComponent(name)}/json`);
    } catch (error) {
      if (error instanceof DockerError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Pulls an image. Docker reports failures inside a 200 stream, so each JSON
   * line is read; the first `error` rejects.
   */
  async pullImage(fromImage: string, tag: string | undefined, onProgress: (progress: PullProgress) => void): Promise<void> {
    const stream = await this.call<IncomingMessage>("POST", "/images/create", {
      query: { fromImage, tag },
      stream: true,
    });
    await readJsonLines(stream, (line) => {
      const progress = line as PullProgress;
      if (progress.error) throw new DockerError(undefined, progress.error);
      onProgress(progress);
    });
  }

  /** Imports a root filesystem tarball as an image (docker import). */
  async importImage(tarball: Buffer, repo: string, tag: string, changes: string[]): Promise<void> {
    const stream = await this.call<IncomingMessage>("POST", "/images/create", {
      query: { fromSrc: "-", repo, tag, changes },
      file: Readable.from([tarball]),
      headers: { "Content-Type": "application/x-tar" },
      stream: true,
    });
    await readJsonLines(stream, (line) => {
      const progress = line as PullProgress;
      if (progress.error) throw new DockerError(undefined, progress.error);
    });
  }

  logs(id: string, query: Query, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.call("GET", `/containers/${id}/logs`, { query, stream: true, signal });
  }

  async execCreate(id: string, command: string[]): Promise<string> {
    const created = await this.call<{ Id: string }>("POST", `/containers/${id}/exec`, {
      body: { Cmd: command, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false },
    });
    return created.Id;
  }

  /** Runs the exec and returns its (multiplexed) output stream, which ends when the command exits. */
  execStart(execId: string, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.call("POST", `/exec/${execId}/start`, { body: { Detach: false, Tty: false }, stream: true, signal });
  }

  execInspect(execId: string): Promise<{ Running: boolean; ExitCode: number | null }> {
    return this.call("GET", `/exec/${execId}/json`);
  }

  events(filters: Record<string, string[]>, signal: AbortSignal): Promise<IncomingMessage> {
    return this.call("GET", "/events", { query: { filters }, stream: true, signal });
  }
}

/** Calls `onLine` with each JSON line of a newline-delimited JSON stream; rejects if `onLine` throws. */
export function readJsonLines(stream: Readable, onLine: (value: unknown) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      stream.destroy();
      reject(error);
    };
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        try {
          onLine(JSON.parse(line));
        } catch (error) {
          return fail(error);
        }
      }
    });
    stream.on("error", fail);
    stream.on("end", () => {
      if (failed) return;
      const rest = buffered.trim();
      try {
        if (rest) onLine(JSON.parse(rest));
      } catch (error) {
        return fail(error);
      }
      resolve();
    });
  });
}
