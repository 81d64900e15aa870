/**
 * Defaulting, as the apiserver's SetDefaults_* functions and the
 * DefaultTolerationSeconds admission plugin do it, so that objects read back
 * look the way kubectl users expect (e.g. `Port: 80/TCP` in rollout history).
 */
import type { KubeObject } from "../schema/meta.js";
import { defaultServiceSpec } from "./service-strategy.js";

type Defaulter = (o: KubeObject) => void;
type Obj = Record<string, any>;

/*
 * Defaulting runs before validation, on whatever the client sent: it fills in
 * only what has the expected shape and leaves a wrong type (`spec: "x"`,
 * `containers: {}`) untouched for schema validation to report.
 */
const isObject = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
/** `o[key]`, created as {} when absent; undefined when it is there but not an object. */
function child(o: Obj, key: string): Obj | undefined {
  o[key] ??= {};
  return isObject(o[key]) ? o[key] : undefined;
}

function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  if (!c.imagePullPolicy) {
    const image = typeof c.image === "string" ? c.image : "";
    const tag = image.includes("@") ? "digest" : image.slice(image.lastIndexOf("/") + 1).split(":")[1];
    c.imagePullPolicy = !tag || tag === "latest" ? "Always" : "IfNotPresent";
  }
  for (const p of objectsIn(c.ports)) p.protocol ??= "TCP";
}

export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  for (const c of objectsIn(spec.containers)) defaultContainer(c);
  for (const c of objectsIn(spec.initContainers)) defaultContainer(c);
  for (const v of objectsIn(spec.volumes)) {
    if (isObject(v.configMap)) v.configMap.defaultMode ??= 0o644;
    if (isObject(v.secret)) v.secret.defaultMode ??= 0o644;
    if (isObject(v.hostPath)) v.hostPath.type ??= "";
  }
}

/** DefaultTolerationSeconds: pods ride out a node outage for 300 s before eviction. */
function defaultTolerations(spec: Obj): void {
  const tolerations = (spec.tolerations ??= []);
  if (!Array.isArray(tolerations)) return;
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    const has = objectsIn(tolerations).some((t) => (t.key === key || (t.operator === "Exists" && !t.key)) && (!t.effect || t.effect === "NoExecute"));
    if (!has) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
}

const podTemplateSpec = (spec: Obj) => (isObject(spec.template) ? spec.template.spec : undefined);

const defaulters: Record<string, Defaulter> = {
  pods: (o) => {
    defaultPodSpec(o.spec);
    if (isObject(o.spec)) defaultTolerations(o.spec);
  },
  deployments: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    const strategy = child(spec, "strategy");
    if (strategy) {
      strategy.type ??= "RollingUpdate";
      const rollingUpdate = strategy.type === "RollingUpdate" ? child(strategy, "rollingUpdate") : undefined;
      if (rollingUpdate) {
        rollingUpdate.maxSurge ??= "25%";
        rollingUpdate.maxUnavailable ??= "25%";
      }
    }
    defaultPodSpec(podTemplateSpec(spec));
  },
  replicasets: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    spec.replicas ??= 1;
    defaultPodSpec(podTemplateSpec(spec));
  },
  daemonsets: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    spec.revisionHistoryLimit ??= 10;
    const strategy = child(spec, "updateStrategy");
    if (strategy) {
      strategy.type ??= "RollingUpdate";
      const rollingUpdate = strategy.type === "RollingUpdate" ? child(strategy, "rollingUpdate") : undefined;
      if (rollingUpdate) {
        rollingUpdate.maxUnavailable ??= 1;
        rollingUpdate.maxSurge ??= 0;
      }
    }
    defaultPodSpec(podTemplateSpec(spec));
  },
  jobs: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= "NonIndexed";
    spec.suspend ??= false;
    generateJobSelector(o, spec);
    defaultPodSpec(podTemplateSpec(spec));
  },
  cronjobs: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    spec.concurrencyPolicy ??= "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    if (isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)) defaultPodSpec(podTemplateSpec(spec.jobTemplate.spec));
  },
  services: (o) => {
    const spec = child(o, "spec");
    if (!spec) return;
    spec.type ??= "ClusterIP";
    if (spec.type !== "ExternalName") {
      spec.sessionAffinity ??= "None";
      spec.internalTrafficPolicy ??= "Cluster";
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
    }
    for (const p of objectsIn(spec.ports)) {
      p.protocol ??= "TCP";
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
    }
    defaultServiceSpec(spec);
  },
  secrets: (o) => {
    o.type ??= "Opaque";
  },
  namespaces: (o) => {
    const labels = o.metadata.labels ?? {};
    if (isObject(labels)) o.metadata.labels = { ...labels, "kubernetes.io/metadata.name": o.metadata.name! };
    const spec = child(o, "spec");
    if (spec) spec.finalizers ??= ["kubernetes"];
  },
};

export function applyDefaults(resource: string, o: KubeObject): void {
  defaulters[resource]?.(o);
}

/**
 * The API server, not the Job controller, owns a Job's selector (upstream's
 * generateSelector): without manualSelector it is the Job's uid, and the
 * template carries the matching labels, so `kubectl logs job/x` and
 * `kubectl get pods -l job-name=x` find exactly this Job's pods.
 */
function generateJobSelector(o: Obj, spec: Obj): void {
  const meta = isObject(o.metadata) ? o.metadata : undefined;
  const uid = typeof meta?.uid === "string" ? meta.uid : undefined;
  if (!uid || spec.manualSelector === true || spec.selector !== undefined) return;
  const template = isObject(spec.template) ? spec.template : undefined;
  const templateMeta = template && child(template, "metadata");
  const labels = templateMeta && child(templateMeta, "labels");
  if (!labels) return;
  const name = String(meta?.name ?? "");
  Object.assign(labels, {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  });
  spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
}
