/**
 * The infra container's image: the generated pause binary (pause-binary.ts)
 * imported into Docker as `kubeflare/pause:<content hash>`, once per Docker
 * host. No registry is involved, so pods start on air-gapped nodes too.
 */
import { createHash } from "node:crypto";
import type { DockerClient } from "./client.js";
import { pauseArchitecture, pauseBinary } from "./pause-binary.js";
import { tarball } from "./tar.js";

export const PAUSE_REPOSITORY = "kubeflare/pause";

export function pauseImageTarball(nodeArch: string): { tarball: Buffer; tag: string } {
  const arch = pauseArchitecture(nodeArch);
  if (!arch) {
    throw new Error(`no built-in pause binary for ${nodeArch}; pass --pause-image with an image whose entrypoint sleeps forever`);
  }
  const binary = pauseBinary(arch);
  const tag = createHash("sha256").update(binary).digest("hex").slice(0, 12);
  return { tarball: tarball([{ name: "pause", data: binary, mode: 0o755 }]), tag };
}

/** Makes sure the pause image exists locally and returns its reference; concurrent callers share one import. */
export class PauseImage {
  private ready?: Promise<string>;

  constructor(
    private readonly docker: DockerClient,
    private readonly nodeArch = process.arch,
  ) {}

  ensure(): Promise<string> {
    this.ready ??= this.importIfMissing().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async importIfMissing(): Promise<string> {
    const { tarball, tag } = pauseImageTarball(this.nodeArch);
    const reference = `${PAUSE_REPOSITORY}:${tag}`;
    if (await this.docker.inspectImage(reference)) return reference;
    await this.docker.importImage(tarball, PAUSE_REPOSITORY, tag, [
      'ENTRYPOINT ["/pause"]',
      "LABEL io.kubeflare.pause=true",
    ]);
    return reference;
  }
}
