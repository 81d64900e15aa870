/**
 * Which printer renders which kind. Kinds without one get the API server's
 * default table (Name, Created At), the same one CRDs without
 * additionalPrinterColumns get.
 */
import type { KubeObject } from "../../schema/meta.js";
import type { ResourceType } from "../../schema/registry.js";
import {
  configMapPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
} from "./core.js";
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, leasePrinter } from "./networking.js";
import { podPrinter } from "./pod.js";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rbac.js";
import { endpointsPrinter, servicePrinter } from "./service.js";
import { type Printer, createdAtColumn, nameColumn } from "./types.js";
import { cronJobPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter } from "./workloads.js";

const printers: Record<string, Printer> = {
  "/Pod": podPrinter,
  "/Node": nodePrinter,
  "/Namespace": namespacePrinter,
  "/Service": servicePrinter,
  "/Endpoints": endpointsPrinter,
  "/ConfigMap": configMapPrinter,
  "/Secret": secretPrinter,
  "/ServiceAccount": serviceAccountPrinter,
  "/Event": eventPrinter,
  "apps/Deployment": deploymentPrinter,
  "apps/ReplicaSet": replicaSetPrinter,
  "apps/DaemonSet": daemonSetPrinter,
  "batch/Job": jobPrinter,
  "batch/CronJob": cronJobPrinter,
  "networking.k8s.io/Ingress": ingressPrinter,
  "networking.k8s.io/IngressClass": ingressClassPrinter,
  "discovery.k8s.io/EndpointSlice": endpointSlicePrinter,
  "coordination.k8s.io/Lease": leasePrinter,
  "rbac.authorization.k8s.io/RoleBinding": roleBindingPrinter,
  "rbac.authorization.k8s.io/ClusterRoleBinding": clusterRoleBindingPrinter,
};

/** RFC 3339 in UTC, whole seconds, like Go's time.RFC3339 for metav1.Time; Go's zero time when unset. */
function rfc3339(ts: string | null | undefined): string {
  const t = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return "0001-01-01T00:00:00Z";
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const defaultPrinter: Printer = {
  columns: [nameColumn(), createdAtColumn()],
  print(obj: KubeObject) {
    return { cells: [obj.metadata.name ?? "", rfc3339(obj.metadata.creationTimestamp)] };
  },
};

export function printerFor(t: Pick<ResourceType, "group" | "kind">): Printer {
  return printers[`${t.group}/${t.kind}`] ?? defaultPrinter;
}
