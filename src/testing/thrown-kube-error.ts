/** Test helper: the KubeError `fn` throws; anything else it throws, or not throwing at all, fails the test. */
import { KubeError } from "../errors.js";

export function thrownKubeError(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeError) return e;
    throw e;
  }
  throw new Error("expected a KubeError");
}
