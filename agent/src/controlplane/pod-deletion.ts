/**
 * The last step of a graceful pod deletion, as the kubelet does it: once the
 * containers are gone, delete the Pod with grace period 0, only if it is
 * still the same pod (uid precondition).
 */
import type { Pod } from "../../../src/schema/core.js";
import { isUnavailableStatus, TransportError, type ControlPlaneClient } from "./client.js";
import { UnexpectedResponse } from "./errors.js";

export function deleteOptions(uid: string) {
  return { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, preconditions: { uid } };
}

export async function deletePodObject(client: ControlPlaneClient, pod: Pod): Promise<void> {
  const namespace = encodeURIComponent(pod.metadata.namespace ?? "default");
  const name = encodeURIComponent(pod.metadata.name ?? "");
  const response = await client.request("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`, deleteOptions(pod.metadata.uid ?? ""));
  if (isUnavailableStatus(response.status)) throw new TransportError(`HTTP ${response.status}`);
  // 404: already gone; 409: a different pod of that name now (precondition failed). Both mean done.
  if (response.status < 300 || response.status === 404 || response.status === 409) return;
  throw new UnexpectedResponse(response.status, "deleting pod", response.body);
}
