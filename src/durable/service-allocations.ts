/**
 * A namespace store's side of Service allocation: it asks the cluster
 * store's ledger for the Service's cluster IP and node ports while the
 * Service is being written, and writes the answer into the object, so the
 * client sees the allocated values in the create response as upstream.
 */
import type { Env } from "../env.js";
import { invalid } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import {
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_SERVICE_CIDR,
  parseNodePortRange,
  parseServiceCIDR,
} from "../registry/service-ip-range.js";
import { allocationChanged, allocationRequest, applyGrant, type AllocationRequest, type AllocationResult } from "../registry/service-strategy.js";
import type { AllocationRanges } from "./service-allocation-ledger.js";
import { clusterStore } from "./stubs.js";

export function allocationRanges(env: Pick<Env, "SERVICE_CIDR" | "SERVICE_NODE_PORT_RANGE">): AllocationRanges {
  return {
    ips: parseServiceCIDR(env.SERVICE_CIDR || DEFAULT_SERVICE_CIDR),
    nodePorts: parseNodePortRange(env.SERVICE_NODE_PORT_RANGE || DEFAULT_NODE_PORT_RANGE),
  };
}

/** The cluster store's RPC, as this module calls it. */
export interface AllocationAuthority {
  assignServiceAllocations(req: AllocationRequest, dryRun: boolean): Promise<AllocationResult>;
}

const needsNothing = (req: AllocationRequest) =>
  req.clusterIP === undefined && req.healthCheckNodePort === null && req.nodePorts.every((p) => p === null);

/**
 * Fills `svc` (already defaulted and validated, uid set) with what the
 * ledger grants; a refused request is the 422 naming the fields. `existing`
 * is the stored object on update: an update that changes nothing the ledger
 * holds costs no round trip.
 */
export async function allocateServiceFields(
  authority: AllocationAuthority,
  svc: KubeObject,
  existing: KubeObject | undefined,
  dryRun: boolean,
): Promise<KubeObject> {
  if (existing && !allocationChanged(existing, svc)) return svc;
  const req = allocationRequest(svc);
  if (!existing && needsNothing(req)) {
    if (svc.spec?.clusterIP === "None") svc.spec.clusterIPs = ["None"];
    return svc;
  }
  const result = await authority.assignServiceAllocations(req, dryRun);
  if (!result.ok) throw invalid("Service", svc.metadata.name ?? "", result.causes);
  return applyGrant(svc, result.grant);
}

export const clusterAllocations = (env: Env) => clusterStore(env) as unknown as AllocationAuthority;
