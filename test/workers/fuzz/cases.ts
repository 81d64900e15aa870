/**
 * The fuzz test's case list: from one seed, a few thousand hostile requests
 * spread over every kind in the registry, every verb, the subresources and
 * the agents' endpoints. Each case says whether the Kubernetes API would have
 * to refuse it (`reject`) or may accept it (`any`); either way the answer
 * must be a 2xx or a 4xx Status, never a 5xx.
 *
 * Writes that could reach the baseline objects are always dry runs (see
 * `confine`), so the consistency check afterwards can demand them unchanged.
 */
import { seededRandom } from "../../../src/testing/seeded-random.js";
import type { FuzzCase, GenContext, Targets } from "./context.js";
import { encodingCases } from "./encoding-cases.js";
import { objectCases } from "./object-cases.js";
import { patchCases } from "./patch-cases.js";
import { requestCases } from "./request-cases.js";
import { subresourceCases } from "./subresource-cases.js";

export type { FuzzCase, Targets } from "./context.js";
export { resourcePath, typeOf } from "./context.js";

/** Cluster-scoped names whose objects only dry runs may write. */
const protectedClusterNames = (t: Targets) =>
  new Set([t.baseNamespace, t.scratchNamespace, t.baseNode, "default", "kube-system", "kube-public", "kube-node-lease"]);

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Adds `dryRun=All` to a write unless it is confined to the scratch space:
 * a namespaced path outside the baseline namespace, or a cluster-scoped item
 * that is not protected. Collections of cluster-scoped kinds are never
 * confined (a DELETE there would remove every namespace).
 */
export function confine(c: FuzzCase, t: Targets): FuzzCase {
  if (c.method === "GET" || c.method === "OPTIONS" || c.path.startsWith("/kubeflare/")) return c;
  // As the server will see it: dot segments resolved, escapes decoded.
  const pathOnly = new URL(c.path, "https://kubeflare.test").pathname;
  const seg = pathOnly.split("/").filter(Boolean).map(safeDecode);
  const rest = seg[0] === "api" ? seg.slice(2) : seg.slice(3);
  let confined: boolean;
  if (rest[0] === "namespaces" && rest.length >= 3) confined = rest[1] !== t.baseNamespace && !rest[1].includes(t.baseNamespace);
  else confined = rest.length >= 2 && !protectedClusterNames(t).has(rest[1]) && !rest[1].startsWith(t.baseNode);
  if (confined) return c;
  return { ...c, path: c.path + (c.path.includes("?") ? "&" : "?") + "dryRun=All" };
}

/** The whole deterministic case list for `seed`. */
export function generateCases(seed: number, t: Targets): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const ctx: GenContext = {
    r: seededRandom(seed),
    t,
    add: (c) => cases.push(confine({ headers: {}, label: "", ...c }, t)),
  };
  objectCases(ctx);
  encodingCases(ctx);
  patchCases(ctx);
  requestCases(ctx);
  subresourceCases(ctx);
  return cases;
}
