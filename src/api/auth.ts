/**
 * Authentication: every request but the health probes carries
 * `Authorization: Bearer <token>`. Today the only identity is the admin whose
 * token is a Worker secret; `UserInfo` is the shape RBAC and node tokens
 * will use (users, groups), so handlers already receive it.
 */
import { KubeError } from "../errors.js";
import type { Env } from "../env.js";

export interface UserInfo {
  name: string;
  groups: string[];
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

export const isPublicPath = (path: string) => PUBLIC_PATHS.has(path);

export async function authenticate(request: Request, env: Env): Promise<UserInfo> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match && env.ADMIN_TOKEN && (await tokensEqual(match[1], env.ADMIN_TOKEN)))
    return { name: "admin", groups: ["system:masters", "system:authenticated"] };
  throw new KubeError(401, "Unauthorized", "Unauthorized");
}

/** Compares digests so the time taken says nothing about the token. */
async function tokensEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
