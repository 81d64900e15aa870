/**
 * Writes a volume's files the way the kubelet's AtomicWriter does, so a
 * container never sees a half-updated ConfigMap or Secret:
 *
 *   <dir>/..2026_01_01_00_00_00.123456/<files>   the payload
 *   <dir>/..data -> ..2026_…                     swapped with one rename
 *   <dir>/<key>  -> ..data/<key>                 stable user-visible names
 *
 * Symlinks are relative, so they resolve inside containers too.
 */
import { lstat, mkdir, readdir, readlink, rename, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import type { ProjectedFile } from "./projection.js";

const DATA_LINK = "..data";

export async function writeAtomically(dir: string, files: ProjectedFile[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const previous = await readlink(join(dir, DATA_LINK)).catch(() => undefined);

  const payload = `..${timestampName()}`;
  for (const file of files) {
    const target = join(dir, payload, file.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.data);
    await chmod(target, file.mode);
  }
  await mkdir(join(dir, payload), { recursive: true, mode: 0o755 });

  const temporaryLink = join(dir, `${DATA_LINK}_tmp`);
  await rm(temporaryLink, { force: true });
  await symlink(payload, temporaryLink);
  await rename(temporaryLink, join(dir, DATA_LINK));

  const wanted = new Set(files.map((file) => file.path.split("/")[0]));
  for (const name of wanted) {
    const link = join(dir, name);
    const existing = await lstat(link).catch(() => undefined);
    if (existing?.isSymbolicLink()) continue;
    if (existing) await rm(link, { recursive: true, force: true });
    await symlink(join(DATA_LINK, name), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith("..") || wanted.has(name)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
  if (previous && previous !== payload) await rm(join(dir, previous), { recursive: true, force: true });
}

function timestampName(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_` +
    `${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.${randomBytes(4).toString("hex")}`
  );
}
