/**
 * Observed state: this node's containers as Docker reports them now. One
 * list call per sync; inspect data (exit code, times, IP) is fetched when a
 * container is new or its state changed, because an instance's facts do not
 * change while its state stays the same (the agent never restarts a container
 * in place: every restart is a new instance).
 */
import type { DockerClient, ContainerInspect, ContainerSummary } from "./client.js";
import { nodeLabelFilter, parseContainerLabels } from "./labels.js";
import type { DockerContainerState, ObservedContainer } from "../pod-runtime/types.js";

export class ContainerObserver {
  private readonly cache = new Map<string, { state: string; observed: ObservedContainer }>();

  constructor(
    private readonly docker: DockerClient,
    private readonly nodeName: string,
  ) {}

  async observe(): Promise<ObservedContainer[]> {
    const summaries = await this.docker.listContainers([nodeLabelFilter(this.nodeName)]);
    const seen = new Set<string>();
    const observed: ObservedContainer[] = [];
    await Promise.all(
      summaries.map(async (summary) => {
        seen.add(summary.Id);
        const cached = this.cache.get(summary.Id);
        if (cached && cached.state === summary.State) {
          observed.push(cached.observed);
          return;
        }
        const inspect = await this.docker.inspectContainer(summary.Id);
        if (!inspect) return; // removed between list and inspect
        const container = toObservedContainer(summary, inspect);
        if (!container) return;
        this.cache.set(summary.Id, { state: summary.State, observed: container });
        observed.push(container);
      }),
    );
    for (const id of this.cache.keys()) if (!seen.has(id)) this.cache.delete(id);
    return observed;
  }

  /** Drops cached facts so the next observe() inspects again (after the agent acted on a container). */
  invalidate(id: string): void {
    this.cache.delete(id);
  }
}

function time(value: string | undefined): number | undefined {
  if (!value || value.startsWith("0001-")) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function toObservedContainer(summary: ContainerSummary, inspect: ContainerInspect): ObservedContainer | undefined {
  const identity = parseContainerLabels(inspect.Config.Labels ?? summary.Labels);
  if (!identity) return undefined;
  const state = inspect.State;
  const networks = Object.values(inspect.NetworkSettings.Networks ?? {});
  const ip = networks.map((network) => network.IPAddress).find(Boolean) || inspect.NetworkSettings.IPAddress || undefined;
  return {
    id: inspect.Id,
    ...identity,
    state: state.Status as DockerContainerState,
    exitCode: state.Status === "running" || (state.Status === "created" && !state.Error) ? undefined : state.ExitCode,
    error: state.Error || undefined,
    oomKilled: state.OOMKilled,
    createdAt: time(inspect.Created) ?? summary.Created * 1000,
    startedAt: time(state.StartedAt),
    finishedAt: time(state.FinishedAt),
    image: identity.image || inspect.Config.Image,
    imageId: inspect.Image,
    ip,
    tty: inspect.Config.Tty,
  };
}
