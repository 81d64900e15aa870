/** Image references as Kubernetes and Docker read them (pure). */
import type { ImageInspect } from "./client.js";

export interface ImageReference {
  /** Everything before the tag or digest, e.g. "localhost:5000/team/app". */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  // A colon after the last slash is a tag; one before it is a registry port.
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { repository: rest, tag: undefined, digest };
}

export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/** The API server's default: Always for :latest or untagged images, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): PullPolicy {
  const { tag, digest } = parseImageReference(image);
  if (digest) return "IfNotPresent";
  return !tag || tag === "latest" ? "Always" : "IfNotPresent";
}

/** What to pass to Docker's pull: fromImage and tag (a digest travels in fromImage). */
export function pullArguments(image: string): { fromImage: string; tag?: string } {
  const { repository, tag, digest } = parseImageReference(image);
  if (digest) return { fromImage: `${repository}@${digest}` };
  return { fromImage: repository, tag: tag ?? "latest" };
}

/** status.containerStatuses[].imageID as dockershim reported it. */
export function imageIdFor(image: ImageInspect | undefined, fallbackId: string): string {
  const digest = image?.RepoDigests?.[0];
  if (digest) return `docker-pullable://${digest}`;
  const id = image?.Id ?? fallbackId;
  return id ? `docker://${id}` : "";
}
