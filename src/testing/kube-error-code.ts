/** Test helper: the HTTP code of the KubeError `fn` throws, or undefined when it does not throw. */
import { KubeError } from "../errors.js";

export function kubeErrorCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeError) return e.code;
    throw e;
  }
  return undefined;
}
