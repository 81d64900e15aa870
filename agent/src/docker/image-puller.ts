/**
 * Making a container's image present according to its imagePullPolicy.
 * Pulls of one image are shared by every pod that needs it at the same time,
 * and long pulls report their progress.
 */
import type { DockerClient, PullProgress } from "./client.js";
import { pullArguments, type PullPolicy } from "./image-reference.js";

export class ImagePullError extends Error {
  constructor(
    readonly reason: "ErrImagePull" | "ErrImageNeverPull",
    message: string,
  ) {
    super(message);
  }
}

/** Where pull milestones go (events on the pod, in the agent). */
export interface PullReporter {
  pulling(message: string): void;
  progress(message: string): void;
  pulled(message: string): void;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)}MB`;
}

/** Sums per-layer download progress into one line. */
export class PullProgressSummary {
  private readonly layers = new Map<string, { current: number; total: number }>();

  add(progress: PullProgress): void {
    if (!progress.id || !progress.progressDetail?.total) return;
    if (progress.status !== "Downloading") return;
    this.layers.set(progress.id, { current: progress.progressDetail.current ?? 0, total: progress.progressDetail.total });
  }

  describe(): string | undefined {
    if (this.layers.size === 0) return undefined;
    let current = 0;
    let total = 0;
    for (const layer of this.layers.values()) {
      current += layer.current;
      total += layer.total;
    }
    return `${megabytes(current)} of ${megabytes(total)}`;
  }
}

export class ImagePuller {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: DockerClient,
    private readonly progressIntervalMs = 10_000,
  ) {}

  async ensure(image: string, policy: PullPolicy, reporter: PullReporter): Promise<void> {
    if (policy !== "Always") {
      const present = await this.docker.inspectImage(image);
      if (present) {
        reporter.pulled(`Container image "${image}" already present on machine`);
        return;
      }
      if (policy === "Never") {
        throw new ImagePullError("ErrImageNeverPull", `Container image "${image}" is not present with pull policy of Never`);
      }
    }
    let pull = this.inFlight.get(image);
    if (!pull) {
      pull = this.pull(image, reporter).finally(() => this.inFlight.delete(image));
      this.inFlight.set(image, pull);
    }
    await pull;
  }

  private async pull(image: string, reporter: PullReporter): Promise<void> {
    const started = Date.now();
    reporter.pulling(`Pulling image "${image}"`);
    const summary = new PullProgressSummary();
    let lastReport = started;
    const { fromImage, tag } = pullArguments(image);
    try {
      await this.docker.pullImage(fromImage, tag, (progress) => {
        summary.add(progress);
        const now = Date.now();
        const described = summary.describe();
        if (described && now - lastReport >= this.progressIntervalMs) {
          lastReport = now;
          reporter.progress(`Pulling image "${image}": ${described}`);
        }
      });
    } catch (error) {
      throw new ImagePullError("ErrImagePull", `Failed to pull image "${image}": ${(error as Error).message}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(3);
    reporter.pulled(`Successfully pulled image "${image}" in ${seconds}s`);
  }
}
