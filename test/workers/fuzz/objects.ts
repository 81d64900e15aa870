/**
 * A valid object of every kind the registry serves, and the mutations that
 * turn one into a hostile body: a value of the wrong type anywhere in it.
 */
import { type Rng, WRONG_VALUES, pick } from "./payloads.js";

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATH: Record<string, string[]> = {
  pods: ["spec"],
  deployments: ["spec", "template", "spec"],
  replicasets: ["spec", "template", "spec"],
  daemonsets: ["spec", "template", "spec"],
  jobs: ["spec", "template", "spec"],
  cronjobs: ["spec", "jobTemplate", "spec", "template", "spec"],
};
export const podKinds = Object.keys(POD_SPEC_PATH);

const podSpec = (name = "c") => ({
  containers: [
    {
      name,
      image: "busybox:1.36",
      command: ["sh", "-c", "sleep 3600"],
      ports: [{ containerPort: 8080, name: "http" }],
      env: [{ name: "A", value: "b" }],
      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
      volumeMounts: [{ name: "data", mountPath: "/data" }],
    },
  ],
  volumes: [{ name: "data", emptyDir: {} }],
  restartPolicy: "Always",
  tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule" }],
  nodeSelector: { "kubernetes.io/os": "linux" },
});

const template = (labels: Record<string, string>, restartPolicy = "Always") => ({
  metadata: { labels },
  spec: { ...podSpec(), restartPolicy },
});

/** A valid object of `resource` named `name`: the starting point of every mutation. */
export function validObject(resource: string, name: string): Record<string, any> {
  const labels = { app: "fz", tier: "t1" };
  const metadata = { name, labels, annotations: { "fuzz.example.com/note": "n" } };
  switch (resource) {
    case "namespaces":
      return { apiVersion: "v1", kind: "Namespace", metadata };
    case "nodes":
      return {
        apiVersion: "v1",
        kind: "Node",
        metadata,
        spec: { taints: [{ key: "fz", value: "v", effect: "NoSchedule" }] },
        status: { capacity: { cpu: "1", memory: "1Gi", pods: "10" }, allocatable: { cpu: "1", memory: "1Gi", pods: "10" } },
      };
    case "pods":
      return { apiVersion: "v1", kind: "Pod", metadata, spec: podSpec() };
    case "configmaps":
      return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { "key.one": "v1", key_two: "v2" } };
    case "secrets":
      return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", data: { user: btoa("admin") }, stringData: { pw: "s3cret" } };
    case "services":
      return { apiVersion: "v1", kind: "Service", metadata, spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };
    case "endpoints":
      return { apiVersion: "v1", kind: "Endpoints", metadata, subsets: [{ addresses: [{ ip: "10.0.0.9" }], ports: [{ port: 80 }] }] };
    case "serviceaccounts":
      return { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false };
    case "events":
      return {
        apiVersion: "v1",
        kind: "Event",
        metadata,
        involvedObject: { kind: "Pod", name: "p", namespace: "fz" },
        reason: "Fuzzed",
        message: "m",
        type: "Normal",
      };
    case "deployments":
      return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { replicas: 1, selector: { matchLabels: labels }, template: template(labels) } };
    case "replicasets":
      return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata, spec: { replicas: 1, selector: { matchLabels: labels }, template: template(labels) } };
    case "daemonsets":
      return { apiVersion: "apps/v1", kind: "DaemonSet", metadata, spec: { selector: { matchLabels: labels }, template: template(labels) } };
    case "jobs":
      return { apiVersion: "batch/v1", kind: "Job", metadata, spec: { backoffLimit: 1, template: template(labels, "Never") } };
    case "cronjobs":
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata,
        spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: template(labels, "OnFailure") } } },
      };
    case "ingresses":
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata,
        spec: {
          rules: [{ host: "fz.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "s", port: { number: 80 } } } }] } }],
        },
      };
    case "ingressclasses":
      return { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata, spec: { controller: "example.com/fz" } };
    case "endpointslices":
      return {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata,
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.0.0.9"], conditions: { ready: true } }],
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
      };
    case "leases":
      return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec: { holderIdentity: "fz", leaseDurationSeconds: 40 } };
    default:
      return { metadata };
  }
}

/** Every path (as keys) to a value inside `o`, the root excluded. */
export function pathsOf(o: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(o)) o.forEach((v, i) => (out.push([...prefix, i]), pathsOf(v, [...prefix, i], out)));
  else if (o && typeof o === "object") for (const [k, v] of Object.entries(o)) out.push([...prefix, k]), pathsOf(v, [...prefix, k], out);
  return out;
}

/** Sets the value at `path` (which exists) in place. */
export function setAt(o: any, path: (string | number)[], value: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]] = value;
}

/** `o` with `count` random leaves or subtrees replaced by values of the wrong type. */
export function mutate(r: Rng, o: Record<string, any>, count: number): Record<string, any> {
  const copy = structuredClone(o);
  for (let i = 0; i < count; i++) {
    const paths = pathsOf(copy).filter((p) => !(p.length === 2 && p[0] === "metadata" && p[1] === "name"));
    if (!paths.length) break;
    setAt(copy, pick(r, paths), structuredCloneJson(pick(r, WRONG_VALUES)));
  }
  return copy;
}

/** A copy that keeps `__proto__` as an own key (structuredClone would too, but this documents the intent). */
const structuredCloneJson = (v: unknown) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export const getAt = (o: any, path: (string | number)[]) => path.reduce((cur, k) => cur?.[k], o);
