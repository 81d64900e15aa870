/**
 * Where a kubectl request waiting for a node's stream (logs; later exec and
 * port-forward) meets the agent's upload: the waiting side gets the upload
 * body, or a Status when the agent cannot serve it or never answers.
 */
import type { Status } from "../schema/meta.js";

export type StreamOpening = { ok: true; stream: ReadableStream<Uint8Array> } | { ok: false; status: Status };

interface PendingStream {
  node: string;
  settle: (s: StreamOpening) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a kubectl logs request waits for the node's agent to pick the command up. */
export const STREAM_PICKUP_MS = 35_000;

export class StreamRendezvous {
  private readonly pending = new Map<string, PendingStream>();

  /** Waits for the agent's answer to command `id` of `node`, or a 503 after STREAM_PICKUP_MS. */
  wait(node: string, id: string): Promise<StreamOpening> {
    return new Promise<StreamOpening>((settle) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        settle({
          ok: false,
          status: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            reason: "ServiceUnavailable",
            code: 503,
            message: `node "${node}" did not answer within ${STREAM_PICKUP_MS / 1000}s (is its agent connected?)`,
          },
        });
      }, STREAM_PICKUP_MS);
      this.pending.set(id, { node, settle, timer });
    });
  }

  /**
   * The agent's answer. Data is piped to the waiting request until either
   * side ends; returns false when no request waits for this id (it timed
   * out, or kubectl went away).
   */
  async attach(node: string, id: string, body: ReadableStream<Uint8Array> | null, status?: Status): Promise<boolean> {
    const pending = this.pending.get(id);
    if (!pending || pending.node !== node) {
      await body?.cancel().catch(() => undefined);
      return false;
    }
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (status || !body) {
      pending.settle({ ok: false, status: status ?? { kind: "Status", apiVersion: "v1", status: "Failure", code: 500, reason: "InternalError", message: "empty stream" } });
      return true;
    }
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    pending.settle({ ok: true, stream: pipe.readable });
    await body.pipeTo(pipe.writable).catch(() => undefined);
    return true;
  }
}
