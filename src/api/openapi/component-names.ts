/**
 * Upstream component names (`io.k8s.api.core.v1.Container`, ...) for the zod
 * schemas in src/schema. kubectl explain prints the last dotted segment of a
 * `$ref` as a field's type, and finds a kind by scanning components for its
 * GVK, so shared sub-schemas are hoisted under the names Kubernetes uses.
 * Naming is by zod instance identity, which is why it lives here and not as
 * `.meta({ id })` in src/schema: the schemas stay free of OpenAPI concerns.
 */
import { z, type ZodType } from "zod";
import * as meta from "../../schema/meta.js";
import * as core from "../../schema/core.js";
import * as apps from "../../schema/apps.js";
import * as batch from "../../schema/batch.js";
import * as net from "../../schema/networking.js";
import { resourceTypes } from "../../schema/registry.js";
import { subresourceKinds } from "./subresource-kinds.js";

const metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** `io.k8s.api.<first label of the group, or core>.<version>`, as the Go packages are laid out. */
export function apiPackage(group: string, version: string): string {
  return `io.k8s.api.${group ? group.split(".")[0] : "core"}.${version}`;
}

export const componentNameOf = (group: string, version: string, kind: string) =>
  group === "meta.k8s.io" ? `${metaV1}.${kind}` : `${apiPackage(group, version)}.${kind}`;

/** Shared sub-schemas exported by src/schema, named as upstream does. */
const exported: [ZodType, string][] = [
  [meta.ObjectMeta, `${metaV1}.ObjectMeta`],
  [meta.ListMeta, `${metaV1}.ListMeta`],
  [meta.OwnerReference, `${metaV1}.OwnerReference`],
  [meta.ManagedFieldsEntry, `${metaV1}.ManagedFieldsEntry`],
  [meta.Condition, `${metaV1}.Condition`],
  [meta.LabelSelector, `${metaV1}.LabelSelector`],
  [meta.LabelSelectorRequirement, `${metaV1}.LabelSelectorRequirement`],
  [meta.Status, `${metaV1}.Status`],
  [meta.StatusCause, `${metaV1}.StatusCause`],
  [meta.DeleteOptions, `${metaV1}.DeleteOptions`],
  [meta.IntOrString, "io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
  [meta.Quantity, "io.k8s.apimachinery.pkg.api.resource.Quantity"],
  [core.Container, "io.k8s.api.core.v1.Container"],
  [core.ContainerPort, "io.k8s.api.core.v1.ContainerPort"],
  [core.EnvVar, "io.k8s.api.core.v1.EnvVar"],
  [core.EnvFromSource, "io.k8s.api.core.v1.EnvFromSource"],
  [core.ResourceRequirements, "io.k8s.api.core.v1.ResourceRequirements"],
  [core.VolumeMount, "io.k8s.api.core.v1.VolumeMount"],
  [core.Probe, "io.k8s.api.core.v1.Probe"],
  [core.Volume, "io.k8s.api.core.v1.Volume"],
  [core.Toleration, "io.k8s.api.core.v1.Toleration"],
  [core.NodeSelectorTerm, "io.k8s.api.core.v1.NodeSelectorTerm"],
  [core.Affinity, "io.k8s.api.core.v1.Affinity"],
  [core.PodSpec, "io.k8s.api.core.v1.PodSpec"],
  [core.PodStatus, "io.k8s.api.core.v1.PodStatus"],
  [core.PodTemplateSpec, "io.k8s.api.core.v1.PodTemplateSpec"],
  [core.ContainerState, "io.k8s.api.core.v1.ContainerState"],
  [core.ContainerStatus, "io.k8s.api.core.v1.ContainerStatus"],
  [core.Taint, "io.k8s.api.core.v1.Taint"],
  [core.NodeAddress, "io.k8s.api.core.v1.NodeAddress"],
  [core.ServicePort, "io.k8s.api.core.v1.ServicePort"],
  [core.ObjectReference, "io.k8s.api.core.v1.ObjectReference"],
  [apps.DeploymentStrategy, "io.k8s.api.apps.v1.DeploymentStrategy"],
  [batch.JobSpec, "io.k8s.api.batch.v1.JobSpec"],
  [net.IngressBackend, "io.k8s.api.networking.v1.IngressBackend"],
];

/** Inline sub-schemas reached by a path from an exported one (`[]` steps into array items). */
const nested: [ZodType, string, string][] = [
  [core.EnvVar, "valueFrom", "io.k8s.api.core.v1.EnvVarSource"],
  [core.Probe, "httpGet", "io.k8s.api.core.v1.HTTPGetAction"],
  [core.Volume, "configMap", "io.k8s.api.core.v1.ConfigMapVolumeSource"],
  [core.Volume, "secret", "io.k8s.api.core.v1.SecretVolumeSource"],
  [core.Volume, "emptyDir", "io.k8s.api.core.v1.EmptyDirVolumeSource"],
  [core.Volume, "hostPath", "io.k8s.api.core.v1.HostPathVolumeSource"],
  [core.Affinity, "nodeAffinity", "io.k8s.api.core.v1.NodeAffinity"],
  [core.Node, "status.nodeInfo", "io.k8s.api.core.v1.NodeSystemInfo"],
  [core.Endpoints, "subsets[]", "io.k8s.api.core.v1.EndpointSubset"],
  [batch.CronJob, "spec.jobTemplate", "io.k8s.api.batch.v1.JobTemplateSpec"],
  [apps.DaemonSet, "spec.updateStrategy", "io.k8s.api.apps.v1.DaemonSetUpdateStrategy"],
  [net.Ingress, "spec.rules[]", "io.k8s.api.networking.v1.IngressRule"],
  [net.Ingress, "spec.tls[]", "io.k8s.api.networking.v1.IngressTLS"],
  [net.EndpointSlice, "endpoints[]", "io.k8s.api.discovery.v1.Endpoint"],
];

/** Strips optional/nullable/default wrappers: they change presence, not shape. */
export function unwrap(t: ZodType): ZodType {
  let cur = t;
  for (;;) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault) {
      cur = cur.unwrap() as ZodType;
    } else return cur;
  }
}

/** Follows a dotted path of object fields (`[]` suffix = array element) through zod shapes. */
export function schemaAt(root: ZodType, path: string): ZodType | undefined {
  let cur: ZodType | undefined = root;
  for (const step of path.split(".")) {
    const field = step.endsWith("[]") ? step.slice(0, -2) : step;
    const obj: ZodType | undefined = cur && unwrap(cur);
    if (!(obj instanceof z.ZodObject)) return undefined;
    cur = obj.shape[field] as ZodType | undefined;
    if (cur && step.endsWith("[]")) {
      const arr = unwrap(cur);
      cur = arr instanceof z.ZodArray ? (arr.element as ZodType) : undefined;
    }
  }
  return cur && unwrap(cur);
}

/**
 * Every named schema: each kind, its `spec`/`status` (as `<Kind>Spec`/`<Kind>Status`),
 * the subresource kinds, then the shared table. First name wins for an instance.
 */
export function componentNames(): Map<ZodType, string> {
  const names = new Map<ZodType, string>();
  const taken = new Set<string>();
  const add = (t: ZodType | undefined, name: string) => {
    if (!t || names.has(t) || taken.has(name)) return;
    names.set(t, name);
    taken.add(name);
  };
  for (const [t, name] of exported) add(t, name);
  for (const t of resourceTypes) {
    add(t.schema, componentNameOf(t.group, t.version, t.kind));
  }
  for (const k of subresourceKinds) add(k.schema, componentNameOf(k.group, k.version, k.kind));
  for (const t of resourceTypes) {
    for (const part of ["spec", "status"] as const) {
      const sub = schemaAt(t.schema, part);
      if (sub instanceof z.ZodObject) {
        add(sub, componentNameOf(t.group, t.version, `${t.kind}${part === "spec" ? "Spec" : "Status"}`));
      }
    }
  }
  for (const [root, path, name] of nested) add(schemaAt(root, path), name);
  return names;
}
