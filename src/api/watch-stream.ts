/**
 * Watch responses: newline-delimited `{type, object}` events. Stores stream
 * raw objects; here they are re-shaped per client (one-row Tables for
 * `kubectl get -w`) and, for `-A`, merged from every namespace store,
 * including namespaces created after the watch began.
 */
import type { KubeObject } from "../schema/meta.js";

export type LineTransform = (line: string) => string | null;

/** Splits a byte stream into lines, calling `onLine` for each complete one. */
export async function forEachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => Promise<void> | void): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) await onLine(line);
      }
    }
    if (buf.trim()) await onLine(buf);
  } finally {
    reader.releaseLock();
  }
}

/**
 * A response body fed by several sources. Each source writes whole lines;
 * writes are serialized so lines never interleave. When the client goes away
 * every source is cancelled.
 */
export class MergedWatch {
  private readonly encoder = new TextEncoder();
  private readonly stream = new TransformStream<Uint8Array, Uint8Array>();
  private readonly writer = this.stream.writable.getWriter();
  private readonly sources = new Set<ReadableStream<Uint8Array>>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly transform: LineTransform) {}

  get readable(): ReadableStream<Uint8Array> {
    return this.stream.readable;
  }

  add(source: ReadableStream<Uint8Array>, onEnd?: () => void): void {
    if (this.closed) {
      void source.cancel();
      return;
    }
    this.sources.add(source);
    forEachLine(source, (line) => this.write(line))
      .catch(() => undefined)
      .finally(() => {
        this.sources.delete(source);
        onEnd?.();
      });
  }

  write(line: string): Promise<void> {
    const out = this.transform(line);
    if (out === null || this.closed) return this.chain;
    this.chain = this.chain
      .then(() => this.writer.write(this.encoder.encode(out + "\n")))
      .catch(() => this.close());
    return this.chain;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sources) void s.cancel().catch(() => undefined);
    void this.writer.close().catch(() => undefined);
  }
}

/** Re-shapes each event's object, leaving BOOKMARK and ERROR events alone. */
export function objectTransform(toWire: (o: KubeObject) => unknown): LineTransform {
  return (line) => {
    const e = JSON.parse(line) as { type: string; object: KubeObject };
    if (e.type === "BOOKMARK" || e.type === "ERROR") return line;
    return JSON.stringify({ type: e.type, object: toWire(e.object) });
  };
}

export const identity: LineTransform = (line) => line;
