/**
 * The namespace controller's work for a namespace being deleted: delete
 * everything in it (pods bound to nodes gracefully), let the garbage
 * collector clear propagation finalizers, and report what is left.
 */
import { collectGarbage } from "../controllers/garbage-collector.js";
import { reconcileNamespaceContent } from "../controllers/namespace.js";
import { applyActions } from "./controller-runtime.js";
import type { StoreKernel } from "./store-kernel.js";

export async function terminateNamespace(k: StoreKernel): Promise<number> {
  const objects = () => Object.fromEntries(k.table.resources().map((r) => [r, k.cached(r)]));
  await applyActions(k, reconcileNamespaceContent(objects(), Date.now()).actions);
  await applyActions(k, collectGarbage(objects()).actions);
  return k.table.count();
}
