/** core/v1 kinds. */
import { z } from "zod";
import {
  Condition,
  IntOrString,
  LabelSelector,
  ObjectMeta,
  Quantity,
  StringMap,
  opaqueObject,
} from "./meta.js";

const KeySelector = z.looseObject({
  name: z.string().optional(),
  key: z.string(),
  optional: z.boolean().optional(),
});

export const EnvVar = z.looseObject({
  name: z.string().describe("Name of the environment variable."),
  value: z.string().optional(),
  valueFrom: z
    .looseObject({
      configMapKeyRef: KeySelector.optional(),
      secretKeyRef: KeySelector.optional(),
      fieldRef: z.looseObject({ apiVersion: z.string().optional(), fieldPath: z.string() }).optional(),
      resourceFieldRef: opaqueObject().optional(),
    })
    .optional(),
});
export type EnvVar = z.infer<typeof EnvVar>;

export const EnvFromSource = z.looseObject({
  prefix: z.string().optional(),
  configMapRef: z.looseObject({ name: z.string(), optional: z.boolean().optional() }).optional(),
  secretRef: z.looseObject({ name: z.string(), optional: z.boolean().optional() }).optional(),
});

export const ContainerPort = z.looseObject({
  name: z.string().optional(),
  containerPort: z.number().int().describe("Port the container listens on."),
  hostPort: z.number().int().optional(),
  hostIP: z.string().optional(),
  protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
});

export const ResourceRequirements = z.looseObject({
  limits: z.record(z.string(), Quantity).optional(),
  requests: z.record(z.string(), Quantity).optional(),
});

export const VolumeMount = z.looseObject({
  name: z.string(),
  mountPath: z.string(),
  subPath: z.string().optional(),
  readOnly: z.boolean().optional(),
});

const HTTPGetAction = z.looseObject({
  path: z.string().optional(),
  port: IntOrString,
  host: z.string().optional(),
  scheme: z.string().optional(),
  httpHeaders: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
});

export const Probe = z.looseObject({
  httpGet: HTTPGetAction.optional(),
  tcpSocket: z.looseObject({ port: IntOrString, host: z.string().optional() }).optional(),
  exec: z.looseObject({ command: z.array(z.string()).optional() }).optional(),
  grpc: opaqueObject().optional(),
  initialDelaySeconds: z.number().int().optional(),
  periodSeconds: z.number().int().optional(),
  timeoutSeconds: z.number().int().optional(),
  successThreshold: z.number().int().optional(),
  failureThreshold: z.number().int().optional(),
  terminationGracePeriodSeconds: z.number().int().optional(),
});
export type Probe = z.infer<typeof Probe>;

export const Container = z
  .looseObject({
    name: z.string().describe("Name of the container, unique within the pod (DNS-1123 label)."),
    image: z.string().optional().describe("Container image name."),
    command: z.array(z.string()).optional().describe("Entrypoint array; replaces the image's ENTRYPOINT."),
    args: z.array(z.string()).optional().describe("Arguments to the entrypoint; replace the image's CMD."),
    workingDir: z.string().optional(),
    ports: z.array(ContainerPort).optional().describe("Ports to expose from the container."),
    env: z.array(EnvVar).optional().describe("Environment variables to set in the container."),
    envFrom: z.array(EnvFromSource).optional(),
    resources: ResourceRequirements.optional().describe("Compute resources required by this container."),
    volumeMounts: z.array(VolumeMount).optional(),
    livenessProbe: Probe.optional(),
    readinessProbe: Probe.optional(),
    startupProbe: Probe.optional(),
    lifecycle: opaqueObject().optional(),
    terminationMessagePath: z.string().optional(),
    terminationMessagePolicy: z.string().optional(),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    securityContext: opaqueObject().optional(),
    stdin: z.boolean().optional(),
    stdinOnce: z.boolean().optional(),
    tty: z.boolean().optional(),
    restartPolicy: z.string().optional(),
  })
  .describe("A single application container that you want to run within a pod.");
export type Container = z.infer<typeof Container>;

const KeyToPath = z.looseObject({ key: z.string(), path: z.string(), mode: z.number().int().optional() });

export const Volume = z.looseObject({
  name: z.string(),
  emptyDir: z.looseObject({ medium: z.string().optional(), sizeLimit: Quantity.optional() }).optional(),
  hostPath: z.looseObject({ path: z.string(), type: z.string().optional() }).optional(),
  configMap: z
    .looseObject({
      name: z.string().optional(),
      items: z.array(KeyToPath).optional(),
      defaultMode: z.number().int().optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
  secret: z
    .looseObject({
      secretName: z.string().optional(),
      items: z.array(KeyToPath).optional(),
      defaultMode: z.number().int().optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
  persistentVolumeClaim: opaqueObject().optional(),
  projected: opaqueObject().optional(),
  downwardAPI: opaqueObject().optional(),
});
export type Volume = z.infer<typeof Volume>;

export const Toleration = z.looseObject({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute", ""]).optional(),
  tolerationSeconds: z.number().int().nullable().optional(),
});
export type Toleration = z.infer<typeof Toleration>;

const NodeSelectorRequirement = z.looseObject({
  key: z.string(),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: z.array(z.string()).optional(),
});
export const NodeSelectorTerm = z.looseObject({
  matchExpressions: z.array(NodeSelectorRequirement).optional(),
  matchFields: z.array(NodeSelectorRequirement).optional(),
});

export const Affinity = z.looseObject({
  nodeAffinity: z
    .looseObject({
      requiredDuringSchedulingIgnoredDuringExecution: z
        .looseObject({ nodeSelectorTerms: z.array(NodeSelectorTerm) })
        .optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z.array(opaqueObject()).optional(),
    })
    .optional(),
  podAffinity: opaqueObject().optional(),
  podAntiAffinity: opaqueObject().optional(),
});

export const PodSpec = z
  .looseObject({
    containers: z.array(Container).describe("List of containers belonging to the pod."),
    initContainers: z.array(Container).optional().describe("Containers run in order before the app containers."),
    volumes: z.array(Volume).optional(),
    restartPolicy: z.enum(["Always", "OnFailure", "Never"]).optional(),
    terminationGracePeriodSeconds: z.number().int().nullable().optional(),
    activeDeadlineSeconds: z.number().int().nullable().optional(),
    dnsPolicy: z.string().optional(),
    nodeSelector: StringMap.nullable().optional(),
    nodeName: z.string().optional().describe("The node this pod is bound to; set by the scheduler."),
    serviceAccountName: z.string().optional(),
    serviceAccount: z.string().optional(),
    automountServiceAccountToken: z.boolean().optional(),
    hostNetwork: z.boolean().optional(),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
    hostname: z.string().optional(),
    subdomain: z.string().optional(),
    affinity: Affinity.optional(),
    tolerations: z.array(Toleration).optional(),
    schedulerName: z.string().optional(),
    priority: z.number().int().optional(),
    priorityClassName: z.string().optional(),
    securityContext: opaqueObject().optional(),
    imagePullSecrets: z.array(z.looseObject({ name: z.string().optional() })).optional(),
    enableServiceLinks: z.boolean().optional(),
    dnsConfig: opaqueObject().optional(),
    hostAliases: z.array(opaqueObject()).optional(),
    readinessGates: z.array(opaqueObject()).optional(),
    topologySpreadConstraints: z.array(opaqueObject()).optional(),
    shareProcessNamespace: z.boolean().optional(),
    runtimeClassName: z.string().optional(),
    preemptionPolicy: z.string().optional(),
    overhead: z.record(z.string(), Quantity).optional(),
  })
  .describe("Specification of the desired behavior of the pod.");
export type PodSpec = z.infer<typeof PodSpec>;

const ContainerStateDetail = z.looseObject({
  reason: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string().nullable().optional(),
  finishedAt: z.string().nullable().optional(),
  exitCode: z.number().int().optional(),
  signal: z.number().int().optional(),
  containerID: z.string().optional(),
});
export const ContainerState = z.looseObject({
  waiting: ContainerStateDetail.optional(),
  running: ContainerStateDetail.optional(),
  terminated: ContainerStateDetail.optional(),
});

export const ContainerStatus = z.looseObject({
  name: z.string(),
  state: ContainerState.optional(),
  lastState: ContainerState.optional(),
  ready: z.boolean(),
  started: z.boolean().optional(),
  restartCount: z.number().int(),
  image: z.string(),
  imageID: z.string(),
  containerID: z.string().optional(),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodStatus = z.looseObject({
  phase: z.enum(["Pending", "Running", "Succeeded", "Failed", "Unknown"]).optional(),
  conditions: z.array(Condition).optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  hostIP: z.string().optional(),
  podIP: z.string().optional(),
  podIPs: z.array(z.looseObject({ ip: z.string() })).optional(),
  startTime: z.string().nullable().optional(),
  containerStatuses: z.array(ContainerStatus).optional(),
  initContainerStatuses: z.array(ContainerStatus).optional(),
  qosClass: z.string().optional(),
  nominatedNodeName: z.string().optional(),
});
export type PodStatus = z.infer<typeof PodStatus>;

export const PodTemplateSpec = z.looseObject({
  metadata: ObjectMeta.optional(),
  spec: PodSpec,
});
export type PodTemplateSpec = z.infer<typeof PodTemplateSpec>;

export const Pod = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Pod").optional(),
    metadata: ObjectMeta,
    spec: PodSpec,
    status: PodStatus.optional(),
  })
  .describe("Pod is a collection of containers that can run on a host.");
export type Pod = z.infer<typeof Pod>;

export const Namespace = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Namespace").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({ finalizers: z.array(z.string()).optional() }).optional(),
    status: z
      .looseObject({ phase: z.enum(["Active", "Terminating"]).optional(), conditions: z.array(Condition).optional() })
      .optional(),
  })
  .describe("Namespace provides a scope for names.");
export type Namespace = z.infer<typeof Namespace>;

export const Taint = z.looseObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
  timeAdded: z.string().nullable().optional(),
});
export type Taint = z.infer<typeof Taint>;

export const NodeAddress = z.looseObject({ type: z.string(), address: z.string() });

export const Node = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Node").optional(),
    metadata: ObjectMeta,
    spec: z
      .looseObject({
        unschedulable: z.boolean().optional(),
        taints: z.array(Taint).optional(),
        podCIDR: z.string().optional(),
        providerID: z.string().optional(),
      })
      .optional(),
    status: z
      .looseObject({
        capacity: z.record(z.string(), Quantity).optional(),
        allocatable: z.record(z.string(), Quantity).optional(),
        conditions: z.array(Condition).optional(),
        addresses: z.array(NodeAddress).optional(),
        nodeInfo: z
          .looseObject({
            machineID: z.string().optional(),
            systemUUID: z.string().optional(),
            bootID: z.string().optional(),
            kernelVersion: z.string().optional(),
            osImage: z.string().optional(),
            containerRuntimeVersion: z.string().optional(),
            kubeletVersion: z.string().optional(),
            kubeProxyVersion: z.string().optional(),
            operatingSystem: z.string().optional(),
            architecture: z.string().optional(),
          })
          .optional(),
        daemonEndpoints: opaqueObject().optional(),
        images: z.array(opaqueObject()).optional(),
      })
      .optional(),
  })
  .describe("Node is a worker machine that runs pods.");
export type Node = z.infer<typeof Node>;

export const ConfigMap = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("ConfigMap").optional(),
    metadata: ObjectMeta,
    data: StringMap.optional(),
    binaryData: StringMap.optional(),
    immutable: z.boolean().optional(),
  })
  .describe("ConfigMap holds configuration data for pods to consume.");
export type ConfigMap = z.infer<typeof ConfigMap>;

export const Secret = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Secret").optional(),
    metadata: ObjectMeta,
    data: StringMap.optional().describe("Base64-encoded values."),
    stringData: StringMap.optional().describe("Write-only plain values, merged into data."),
    type: z.string().optional(),
    immutable: z.boolean().optional(),
  })
  .describe("Secret holds secret data of a certain type.");
export type Secret = z.infer<typeof Secret>;

export const ServicePort = z.looseObject({
  name: z.string().optional(),
  protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
  appProtocol: z.string().optional(),
  port: z.number().int().describe("The port exposed by this service."),
  targetPort: IntOrString.optional(),
  nodePort: z.number().int().optional(),
});

export const Service = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Service").optional(),
    metadata: ObjectMeta,
    spec: z
      .looseObject({
        type: z.enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]).optional(),
        selector: StringMap.nullable().optional(),
        ports: z.array(ServicePort).optional(),
        clusterIP: z.string().optional(),
        clusterIPs: z.array(z.string()).optional(),
        externalName: z.string().optional(),
        externalIPs: z.array(z.string()).optional(),
        sessionAffinity: z.enum(["ClientIP", "None"]).optional(),
        sessionAffinityConfig: opaqueObject().optional(),
        externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
        internalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
        loadBalancerIP: z.string().optional(),
        loadBalancerClass: z.string().optional(),
        publishNotReadyAddresses: z.boolean().optional(),
        ipFamilies: z.array(z.string()).optional(),
        ipFamilyPolicy: z.string().optional(),
        allocateLoadBalancerNodePorts: z.boolean().optional(),
      })
      .optional(),
    status: z
      .looseObject({
        loadBalancer: z
          .looseObject({
            ingress: z
              .array(z.looseObject({ ip: z.string().optional(), hostname: z.string().optional() }))
              .optional(),
          })
          .optional(),
        conditions: z.array(Condition).optional(),
      })
      .optional(),
  })
  .describe("Service is a named abstraction of software service consisting of a port and a selector.");
export type Service = z.infer<typeof Service>;

const EndpointAddress = z.looseObject({
  ip: z.string(),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  targetRef: opaqueObject().optional(),
});
const EndpointPort = z.looseObject({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: z.string().optional(),
  appProtocol: z.string().optional(),
});

export const Endpoints = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Endpoints").optional(),
    metadata: ObjectMeta,
    subsets: z
      .array(
        z.looseObject({
          addresses: z.array(EndpointAddress).optional(),
          notReadyAddresses: z.array(EndpointAddress).optional(),
          ports: z.array(EndpointPort).optional(),
        }),
      )
      .optional(),
  })
  .describe("Endpoints is a collection of endpoints that implement the actual service.");
export type Endpoints = z.infer<typeof Endpoints>;

export const ServiceAccount = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("ServiceAccount").optional(),
    metadata: ObjectMeta,
    secrets: z.array(opaqueObject()).optional(),
    imagePullSecrets: z.array(z.looseObject({ name: z.string().optional() })).optional(),
    automountServiceAccountToken: z.boolean().optional(),
  })
  .describe("ServiceAccount binds together a name, a principal and a set of secrets.");
export type ServiceAccount = z.infer<typeof ServiceAccount>;

export const ObjectReference = z.looseObject({
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
  apiVersion: z.string().optional(),
  resourceVersion: z.string().optional(),
  fieldPath: z.string().optional(),
});
export type ObjectReference = z.infer<typeof ObjectReference>;

export const Event = z
  .looseObject({
    apiVersion: z.literal("v1").optional(),
    kind: z.literal("Event").optional(),
    metadata: ObjectMeta,
    involvedObject: ObjectReference,
    reason: z.string().optional(),
    message: z.string().optional(),
    source: z.looseObject({ component: z.string().optional(), host: z.string().optional() }).optional(),
    firstTimestamp: z.string().nullable().optional(),
    lastTimestamp: z.string().nullable().optional(),
    eventTime: z.string().nullable().optional(),
    count: z.number().int().optional(),
    type: z.string().optional(),
    action: z.string().optional(),
    reportingComponent: z.string().optional(),
    reportingInstance: z.string().optional(),
    related: ObjectReference.optional(),
    series: opaqueObject().optional(),
  })
  .describe("Event is a report of an event somewhere in the cluster.");
export type Event = z.infer<typeof Event>;

export { LabelSelector };
