/**
 * What the agent counts for /metrics: Docker Engine API latency by
 * operation, long-poll reconnects, and, read at scrape time, its pods by
 * phase and their containers' restarts. Rendered with the control plane's
 * exposition code (src/metrics), so both speak the same text format.
 */
import { bucketIndex, render, type MetricFamily } from "../../../src/metrics/exposition.js";

/** Docker calls are local: finer buckets than the API server's. */
const DOCKER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface PodView {
  phase?: string;
  restarts: number;
}

/** `/containers/4f2a…/start` → `/containers/{id}/start`, so series stay few. */
export function dockerOperation(method: string, path: string): string {
  const templated = path
    .split("?")[0]
    .replace(/^\/v\d+\.\d+/, "")
    .replace(/^\/(containers|images|exec|networks|volumes)\/([^/]+)/, (whole, kind: string, id: string) =>
      ["json", "create", "prune", "load", "search"].includes(id) ? whole : `/${kind}/{id}`,
    );
  return `${method} ${templated}`;
}

export class AgentMetrics {
  private readonly docker = new Map<string, { counts: number[]; sum: number; errors: number }>();
  private reconnects = 0;

  constructor(private readonly pods: () => PodView[] = () => []) {}

  observeDocker(method: string, path: string, seconds: number, ok: boolean): void {
    const op = dockerOperation(method, path);
    let h = this.docker.get(op);
    if (!h) this.docker.set(op, (h = { counts: new Array(DOCKER_BUCKETS.length + 1).fill(0), sum: 0, errors: 0 }));
    h.counts[bucketIndex(DOCKER_BUCKETS, seconds)]++;
    h.sum += seconds;
    if (!ok) h.errors++;
  }

  longPollReconnected(): void {
    this.reconnects++;
  }

  families(): MetricFamily[] {
    const phases = new Map<string, number>(["Pending", "Running", "Succeeded", "Failed", "Unknown"].map((p) => [p, 0]));
    let restarts = 0;
    for (const pod of this.pods()) {
      const phase = pod.phase ?? "Pending";
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
      restarts += pod.restarts;
    }
    const docker = [...this.docker].sort(([a], [b]) => a.localeCompare(b));
    return [
      { type: "gauge", name: "kubeflare_agent_pods", help: "Pods on this node by phase.", samples: [...phases].map(([phase, value]) => ({ labels: { phase }, value })) },
      { type: "gauge", name: "kubeflare_agent_container_restarts", help: "Sum of restartCount over the containers of this node's pods.", samples: [{ labels: {}, value: restarts }] },
      {
        type: "histogram",
        name: "kubeflare_agent_docker_request_duration_seconds",
        help: "Docker Engine API latency by operation (streams: until the stream opens).",
        buckets: DOCKER_BUCKETS,
        samples: docker.map(([operation, h]) => ({ labels: { operation }, counts: h.counts, sum: h.sum })),
      },
      {
        type: "counter",
        name: "kubeflare_agent_docker_request_errors_total",
        help: "Docker Engine API calls that failed, by operation.",
        samples: docker.map(([operation, h]) => ({ labels: { operation }, value: h.errors })),
      },
      { type: "counter", name: "kubeflare_agent_longpoll_reconnects_total", help: "Times the desired-state long-poll had to reconnect after an error.", samples: [{ labels: {}, value: this.reconnects }] },
    ];
  }

  render(): string {
    return render(this.families());
  }
}
