/**
 * Stream commands from the long-poll (docs/agent-protocol.md): for "log",
 * read the container's log from Docker and stream it up to
 * POST /kubeflare/v1/nodes/{node}/streams/{id}; when that cannot be done,
 * answer with the Status kubectl should see.
 */
import type { DockerClient } from "../docker/client.js";
import type { Logger } from "../log.js";
import { openLogStream, selectLogTarget, type LogOptions } from "../logs.js";
import type { PodRuntime } from "../pod-runtime/runtime.js";
import type { ControlPlaneClient } from "./client.js";

export interface StreamCommand {
  id: string;
  type: string;
  namespace: string;
  pod: string;
  uid?: string;
  container?: string;
  options?: LogOptions;
}

export function statusBody(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** Ids already served, so a command repeated by the control plane is not served twice. */
const REMEMBERED_COMMANDS = 256;

export class StreamHandler {
  private readonly seen = new Set<string>();
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly docker: DockerClient,
    private readonly runtime: PodRuntime,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  handle(commands: StreamCommand[]): void {
    for (const command of commands) {
      if (!command?.id || this.seen.has(command.id)) continue;
      this.seen.add(command.id);
      if (this.seen.size > REMEMBERED_COMMANDS) this.seen.delete(this.seen.values().next().value!);
      void this.serve(command).catch((error) =>
        this.log(`stream ${command.id} (${command.type} ${command.namespace}/${command.pod}): ${(error as Error).message}`),
      );
    }
  }

  /** Stops every stream in progress. */
  stop(): void {
    for (const controller of this.active.values()) controller.abort();
  }

  private path(id: string) {
    return `/kubeflare/v1/nodes/${encodeURIComponent(this.nodeName)}/streams/${encodeURIComponent(id)}`;
  }

  private async fail(id: string, code: number, reason: string, message: string) {
    await this.client.request("POST", this.path(id), statusBody(code, reason, message));
  }

  private async serve(command: StreamCommand): Promise<void> {
    if (command.type !== "log") {
      return this.fail(command.id, 400, "BadRequest", `stream type "${command.type}" is not supported by this node`);
    }
    const options = command.options ?? {};
    const observed = await this.runtime.observeNow();
    const pod = this.runtime
      .desiredPods()
      .find((p) =>
        command.uid
          ? p.metadata.uid === command.uid
          : p.metadata.name === command.pod && (p.metadata.namespace ?? "default") === command.namespace,
      );
    const uid = pod?.metadata.uid ?? "";
    const target = selectLogTarget({
      pod,
      podName: command.pod,
      containerName: command.container,
      previous: !!options.previous,
      instances: (name) => this.runtime.containerInstances(uid, name, observed),
      status: this.runtime.podStatus(uid),
    });
    if (!target.ok) return this.fail(command.id, target.code, target.reason, target.message);

    const controller = new AbortController();
    this.active.set(command.id, controller);
    try {
      const stream = await openLogStream(this.docker, target, options, controller.signal);
      await this.client.upload(this.path(command.id), "text/plain", stream);
    } finally {
      // Whether the log ended or the reader went away: stop reading from Docker.
      controller.abort();
      this.active.delete(command.id);
    }
  }
}
