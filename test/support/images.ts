/**
 * Test images for tests that run real containers. No registry is reachable
 * in tests, so the image is built locally FROM scratch around the host's
 * static busybox, which gives sh, httpd, nc, sleep, wget and friends.
 * Built once per Docker host and reused (the tag is the cache).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const TEST_IMAGE = "kubeflare/busybox:test";

/** Where a static busybox may live; `busybox-static` on Debian installs /bin/busybox. */
const BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox"];

/**
 * Fails (never skips) with a clear message when Docker is unusable, so a test
 * run without Docker reports why instead of passing vacuously.
 */
export async function requireDocker(): Promise<void> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 20_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(
      `These tests need a running Docker daemon (the docker CLI and /var/run/docker.sock). ` +
        `Install it (apt-get install -y docker.io busybox-static) and start dockerd. docker info said: ${detail}`,
    );
  }
}

async function staticBusybox(): Promise<string> {
  for (const candidate of BUSYBOX_CANDIDATES) {
    try {
      const { stdout } = await run("file", ["-L", candidate]);
      if (/statically linked|static-pie/.test(stdout)) return candidate;
    } catch {
      // not there; try the next
    }
  }
  throw new Error(`No static busybox found (looked at ${BUSYBOX_CANDIDATES.join(", ")}); install busybox-static.`);
}

let building: Promise<string> | undefined;

/** The busybox test image's tag, building it on first use. */
export function ensureTestImage(): Promise<string> {
  building ??= build().catch((error) => {
    building = undefined;
    throw error;
  });
  return building;
}

/** The image's recipe; its hash, stored as a label, tells a stale cached image from a current one. */
const DOCKERFILE = [
  "FROM scratch",
  "COPY busybox /bin/busybox",
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  // Scratch has no /tmp; scripts expect one.
  'RUN ["/bin/mkdir", "-p", "-m", "1777", "/tmp"]',
].join("\n");
const RECIPE = createHash("sha256").update(DOCKERFILE).digest("hex").slice(0, 12);
const RECIPE_LABEL = "io.kubeflare.test-image.recipe";

async function build(): Promise<string> {
  await requireDocker();
  const cached = await run("docker", ["image", "inspect", "-f", `{{index .Config.Labels "${RECIPE_LABEL}"}}`, TEST_IMAGE]).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  if (cached === RECIPE) return TEST_IMAGE;
  const context = await mkdtemp(join(tmpdir(), "kubeflare-image-"));
  try {
    await copyFile(await staticBusybox(), join(context, "busybox"));
    await writeFile(join(context, "Dockerfile"), `${DOCKERFILE}\nLABEL ${RECIPE_LABEL}=${RECIPE}\n`);
    await run("docker", ["build", "-q", "-t", TEST_IMAGE, context], { timeout: 120_000 });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return TEST_IMAGE;
}
