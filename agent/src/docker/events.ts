/**
 * Docker's event stream for this node's containers, used only as a nudge:
 * when one of our containers starts, dies or goes away, sync now rather than
 * at the next periodic resync. Losing the stream loses nothing but latency.
 */
import type { DockerClient } from "./client.js";
import { nodeLabelFilter } from "./labels.js";
import type { Logger } from "../log.js";

export function watchContainerEvents(
  docker: DockerClient,
  nodeName: string,
  onEvent: () => void,
  log: Logger,
): { stop(): void } {
  const abort = new AbortController();
  let failing = false;

  const connect = async () => {
    while (!abort.signal.aborted) {
      try {
        const stream = await docker.events(
          { type: ["container"], label: [nodeLabelFilter(nodeName)], event: ["start", "die", "destroy", "oom"] },
          abort.signal,
        );
        if (failing) log("docker event stream reconnected");
        failing = false;
        await new Promise<void>((resolve) => {
          stream.on("data", () => onEvent());
          stream.on("end", resolve);
          stream.on("close", resolve);
          stream.on("error", () => resolve());
        });
      } catch (error) {
        if (abort.signal.aborted) return;
        if (!failing) log(`docker event stream unavailable (${(error as Error).message}); relying on periodic resync`);
        failing = true;
      }
      if (!abort.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
    }
  };
  void connect();
  return { stop: () => abort.abort() };
}
