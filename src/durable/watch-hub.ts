/**
 * Open watch streams of one store. A write calls `notify(old, new)`; each
 * watcher sees the change translated through its selector the way Kubernetes
 * does it: an object that starts matching is ADDED, one that stops matching is
 * DELETED, so a filtered watch stays a consistent view.
 */
import type { KubeObject } from "../schema/meta.js";
import type { ChangeType } from "./object-table.js";

export type ObjectFilter = (o: KubeObject) => boolean;

export interface WatchEvent {
  type: ChangeType | "BOOKMARK" | "ERROR";
  object: unknown;
}

interface Watcher {
  resource: string;
  filter: ObjectFilter;
  controller: ReadableStreamDefaultController<Uint8Array>;
  timers: ReturnType<typeof setTimeout>[];
  closed: boolean;
}

const encoder = new TextEncoder();
export const encodeEvent = (e: WatchEvent) => encoder.encode(JSON.stringify(e) + "\n");

export class WatchHub {
  private watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Opens a stream that first carries `initial` events, then live changes.
   * `bookmark()` builds a BOOKMARK event for the current version.
   */
  open(opts: {
    resource: string;
    filter: ObjectFilter;
    initial: WatchEvent[];
    timeoutMs: number;
    bookmarkEveryMs?: number;
    bookmark: () => WatchEvent;
  }): ReadableStream<Uint8Array> {
    let watcher: Watcher;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        watcher = { resource: opts.resource, filter: opts.filter, controller, timers: [], closed: false };
        for (const e of opts.initial) controller.enqueue(encodeEvent(e));
        watcher.timers.push(setTimeout(() => this.close(watcher), opts.timeoutMs));
        if (opts.bookmarkEveryMs) {
          const tick = () => {
            if (watcher.closed) return;
            this.send(watcher, opts.bookmark());
            watcher.timers.push(setTimeout(tick, opts.bookmarkEveryMs));
          };
          watcher.timers.push(setTimeout(tick, opts.bookmarkEveryMs));
        }
        this.watchers.add(watcher);
      },
      cancel: () => this.close(watcher),
    });
  }

  notify(resource: string, type: ChangeType, oldObject: KubeObject | undefined, newObject: KubeObject): void {
    for (const w of this.watchers) {
      if (w.resource !== resource) continue;
      const translated = translate(type, oldObject && w.filter(oldObject), w.filter(newObject));
      if (translated) this.send(w, { type: translated, object: newObject });
    }
  }

  closeAll(): void {
    for (const w of this.watchers) this.close(w);
  }

  private send(w: Watcher, e: WatchEvent): void {
    try {
      w.controller.enqueue(encodeEvent(e));
    } catch {
      this.close(w);
    }
  }

  private close(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    for (const t of w.timers) clearTimeout(t);
    this.watchers.delete(w);
    try {
      w.controller.close();
    } catch {
      // already closed by the reader
    }
  }
}

/** Kubernetes' watch filtering: entering the selection is ADDED, leaving it is DELETED. */
export function translate(type: ChangeType, oldMatched: boolean | undefined, newMatched: boolean): ChangeType | null {
  if (type === "ADDED") return newMatched ? "ADDED" : null;
  if (type === "DELETED") return newMatched || oldMatched ? "DELETED" : null;
  if (oldMatched === undefined) return newMatched ? "MODIFIED" : null;
  if (oldMatched && newMatched) return "MODIFIED";
  if (!oldMatched && newMatched) return "ADDED";
  if (oldMatched && !newMatched) return "DELETED";
  return null;
}
