/**
 * Patch metadata for built-in kinds: the `patchStrategy`/`patchMergeKey`
 * struct tags that strategic merge patch reads (kubernetes/api types.go) and
 * the `+listType`/`+listMapKey` markers that server-side apply reads. One
 * table serves both, so a PodSpec path resolves the same way inside a Pod, a
 * Deployment's template or a CronJob's job template.
 *
 * Anything not listed is a struct field with no strategy: maps merge key by
 * key, lists are atomic (replaced whole), as Kubernetes treats them.
 */

export interface FieldMeta {
  /** The Go `patchStrategy` tag: "merge", "retainKeys", "merge,retainKeys" or "replace". */
  patchStrategy?: string;
  /** The Go `patchMergeKey` tag: the field identifying list items for SMP. */
  patchMergeKey?: string;
  /** `+listType`: how server-side apply identifies list items. */
  listType?: "atomic" | "set" | "map";
  /** `+listMapKey`s, in declaration order. */
  listMapKeys?: string[];
  /** Defaults the schema declares for key fields (a port's protocol is TCP). */
  keyDefaults?: Record<string, unknown>;
  /** A Go map (`map[string]T`): members are free-form keys rather than struct fields. */
  map?: boolean;
  /** `+structType=atomic` / `+mapType=atomic`: the value is owned and replaced as a whole. */
  atomic?: boolean;
  /** Struct type of the value or of each list element (a key of `types`). */
  type?: string;
}

type StructMeta = Record<string, FieldMeta>;

const merged = (key: string, type?: string, more: Partial<FieldMeta> = {}): FieldMeta => ({
  patchStrategy: "merge",
  patchMergeKey: key,
  listType: "map",
  listMapKeys: [key],
  type,
  ...more,
});
const conditions = merged("type");
const stringMap: FieldMeta = { map: true };
const atomicList: FieldMeta = { listType: "atomic" };
const atomicStruct: FieldMeta = { atomic: true };
const tcp = { protocol: "TCP" };

const types: Record<string, StructMeta> = {
  ObjectMeta: {
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: merged("uid"),
    finalizers: { patchStrategy: "merge", listType: "set" },
    managedFields: atomicList,
  },
  PodTemplateSpec: { metadata: { type: "ObjectMeta" }, spec: { type: "PodSpec" } },
  PodSpec: {
    volumes: merged("name", "Volume", { patchStrategy: "merge,retainKeys" }),
    initContainers: merged("name", "Container"),
    containers: merged("name", "Container"),
    ephemeralContainers: merged("name", "Container"),
    imagePullSecrets: merged("name"),
    hostAliases: merged("ip"),
    topologySpreadConstraints: merged("topologyKey", undefined, { listMapKeys: ["topologyKey", "whenUnsatisfiable"] }),
    resourceClaims: merged("name", undefined, { patchStrategy: "merge,retainKeys" }),
    schedulingGates: merged("name"),
    tolerations: atomicList,
    readinessGates: atomicList,
    nodeSelector: stringMap,
    overhead: stringMap,
  },
  Container: {
    ports: merged("containerPort", undefined, { listMapKeys: ["containerPort", "protocol"], keyDefaults: tcp }),
    env: merged("name", "EnvVar"),
    volumeMounts: merged("mountPath"),
    volumeDevices: merged("devicePath"),
    resources: { type: "ResourceRequirements" },
    resizePolicy: atomicList,
    envFrom: atomicList,
    args: atomicList,
    command: atomicList,
  },
  EnvVar: { valueFrom: { type: "EnvVarSource" } },
  EnvVarSource: {
    configMapKeyRef: atomicStruct,
    secretKeyRef: atomicStruct,
    fieldRef: atomicStruct,
    resourceFieldRef: atomicStruct,
  },
  ResourceRequirements: { limits: stringMap, requests: stringMap, claims: merged("name") },
  Volume: {},
  PodStatus: {
    conditions,
    podIPs: merged("ip"),
    hostIPs: merged("ip"),
    resourceClaimStatuses: merged("name", undefined, { patchStrategy: "merge,retainKeys" }),
    containerStatuses: atomicList,
    initContainerStatuses: atomicList,
    ephemeralContainerStatuses: atomicList,
  },
  StatusWithConditions: { conditions },
  DeploymentSpec: {
    selector: atomicStruct,
    template: { type: "PodTemplateSpec" },
    strategy: { patchStrategy: "retainKeys" },
  },
  ReplicaSetSpec: { selector: atomicStruct, template: { type: "PodTemplateSpec" } },
  DaemonSetSpec: { selector: atomicStruct, template: { type: "PodTemplateSpec" } },
  StatefulSetSpec: { selector: atomicStruct, template: { type: "PodTemplateSpec" }, volumeClaimTemplates: atomicList },
  ReplicationControllerSpec: { selector: stringMap, template: { type: "PodTemplateSpec" } },
  JobSpec: { selector: atomicStruct, template: { type: "PodTemplateSpec" } },
  JobStatus: { conditions: { ...conditions, listType: "atomic", listMapKeys: undefined } },
  JobTemplateSpec: { metadata: { type: "ObjectMeta" }, spec: { type: "JobSpec" } },
  CronJobSpec: { jobTemplate: { type: "JobTemplateSpec" } },
  CronJobStatus: { active: atomicList },
  NodeSpec: { podCIDRs: { patchStrategy: "merge", listType: "set" }, taints: atomicList },
  NodeStatus: {
    conditions,
    addresses: merged("type"),
    capacity: stringMap,
    allocatable: stringMap,
    images: atomicList,
    volumesInUse: atomicList,
    volumesAttached: atomicList,
  },
  ServiceSpec: {
    ports: merged("port", undefined, { listMapKeys: ["port", "protocol"], keyDefaults: tcp }),
    selector: stringMap,
    clusterIPs: atomicList,
    externalIPs: atomicList,
    ipFamilies: atomicList,
  },
  NamespaceSpec: { finalizers: atomicList },
  PersistentVolumeClaimSpec: { accessModes: atomicList, resources: { type: "ResourceRequirements" } },
};

const kindFields = (fields: StructMeta): StructMeta => ({ metadata: { type: "ObjectMeta" }, ...fields });
const withStatus = (spec: string, status: string) => kindFields({ spec: { type: spec }, status: { type: status } });

/** Root fields of each kind. Kinds not listed get ObjectMeta only. */
const kinds: Record<string, StructMeta> = {
  Pod: withStatus("PodSpec", "PodStatus"),
  PodTemplate: kindFields({ template: { type: "PodTemplateSpec" } }),
  ReplicationController: withStatus("ReplicationControllerSpec", "StatusWithConditions"),
  Deployment: withStatus("DeploymentSpec", "StatusWithConditions"),
  ReplicaSet: withStatus("ReplicaSetSpec", "StatusWithConditions"),
  DaemonSet: withStatus("DaemonSetSpec", "StatusWithConditions"),
  StatefulSet: withStatus("StatefulSetSpec", "StatusWithConditions"),
  Job: withStatus("JobSpec", "JobStatus"),
  CronJob: withStatus("CronJobSpec", "CronJobStatus"),
  Node: withStatus("NodeSpec", "NodeStatus"),
  Service: withStatus("ServiceSpec", "StatusWithConditions"),
  Namespace: withStatus("NamespaceSpec", "StatusWithConditions"),
  PersistentVolumeClaim: withStatus("PersistentVolumeClaimSpec", "StatusWithConditions"),
  ConfigMap: kindFields({ data: stringMap, binaryData: stringMap }),
  Secret: kindFields({ data: stringMap, stringData: stringMap }),
  ServiceAccount: kindFields({ secrets: merged("name"), imagePullSecrets: atomicList }),
  Endpoints: kindFields({ subsets: atomicList }),
};
for (const [kind, fields] of Object.entries(kinds)) types[`kind:${kind}`] = fields;
types["kind:"] = kindFields({});

/** Whether the table knows this kind (strategic merge patch is only served for those). */
export const hasPatchMeta = (kind: string): boolean => `kind:${kind}` in types;

/** The type of a kind's root object; kinds without an entry still get ObjectMeta. */
export const rootType = (kind: string): string => (hasPatchMeta(kind) ? `kind:${kind}` : "kind:");

/**
 * Metadata of `field` inside a value of type `type`. Inside a Go map every
 * member shares the map's value type; an unknown field has no metadata.
 */
export function fieldMeta(type: string | undefined, field: string): FieldMeta {
  if (!type) return {};
  return types[type]?.[field] ?? {};
}

/** Where a value's field metadata comes from: a struct type, or a Go map whose members share one. */
export interface Shape {
  type?: string;
  map?: FieldMeta;
}

/** Metadata of member `key` of a value of this shape. */
export const memberMeta = (shape: Shape, key: string): FieldMeta =>
  shape.map ? { type: shape.map.type } : fieldMeta(shape.type, key);

/** The shape of a field's value. */
export const shapeOf = (meta: FieldMeta): Shape => (meta.map ? { map: meta } : { type: meta.type });

/** The patch strategy without `retainKeys`, which only tells clients to send `$retainKeys`. */
export function mergeStrategy(meta: FieldMeta): "merge" | "replace" | undefined {
  const parts = (meta.patchStrategy ?? "").split(",").filter((s) => s && s !== "retainKeys");
  if (parts.includes("replace")) return "replace";
  return parts.includes("merge") ? "merge" : undefined;
}

/** The keys server-side apply identifies items of a list-map by. */
export const listKeys = (meta: FieldMeta): string[] | undefined =>
  meta.listType === "map" ? meta.listMapKeys ?? (meta.patchMergeKey ? [meta.patchMergeKey] : undefined) : undefined;
