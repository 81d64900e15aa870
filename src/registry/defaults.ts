/**
 * Defaulting, as the apiserver's SetDefaults_* functions and the
 * DefaultTolerationSeconds admission plugin do it, so that objects read back
 * look the way kubectl users expect (e.g. `Port: 80/TCP` in rollout history).
 */
import type { KubeObject } from "../schema/meta.js";
import type { Container, PodSpec } from "../schema/core.js";

type Defaulter = (o: KubeObject) => void;

function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  if (!c.imagePullPolicy) {
    const image = c.image ?? "";
    const tag = image.includes("@") ? "digest" : image.slice(image.lastIndexOf("/") + 1).split(":")[1];
    c.imagePullPolicy = !tag || tag === "latest" ? "Always" : "IfNotPresent";
  }
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
}

export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 0o644;
    if (v.secret) v.secret.defaultMode ??= 0o644;
    if (v.hostPath) v.hostPath.type ??= "";
  }
}

/** DefaultTolerationSeconds: pods ride out a node outage for 300 s before eviction. */
function defaultTolerations(spec: PodSpec): void {
  const tolerations = (spec.tolerations ??= []);
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    const has = tolerations.some((t) => (t.key === key || (t.operator === "Exists" && !t.key)) && (!t.effect || t.effect === "NoExecute"));
    if (!has) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
}

const template = (o: KubeObject) => o.spec?.template;

const defaulters: Record<string, Defaulter> = {
  pods: (o) => {
    defaultPodSpec(o.spec);
    if (o.spec) defaultTolerations(o.spec);
  },
  deployments: (o) => {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.progressDeadlineSeconds ??= 600;
    o.spec.strategy ??= {};
    o.spec.strategy.type ??= "RollingUpdate";
    if (o.spec.strategy.type === "RollingUpdate") {
      o.spec.strategy.rollingUpdate ??= {};
      o.spec.strategy.rollingUpdate.maxSurge ??= "25%";
      o.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
    }
    defaultPodSpec(template(o)?.spec);
  },
  replicasets: (o) => {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    defaultPodSpec(template(o)?.spec);
  },
  daemonsets: (o) => {
    o.spec ??= {};
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.updateStrategy ??= {};
    o.spec.updateStrategy.type ??= "RollingUpdate";
    if (o.spec.updateStrategy.type === "RollingUpdate") {
      o.spec.updateStrategy.rollingUpdate ??= {};
      o.spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      o.spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    defaultPodSpec(template(o)?.spec);
  },
  jobs: (o) => {
    o.spec ??= {};
    if (o.spec.completions === undefined && o.spec.parallelism === undefined) o.spec.completions = 1;
    o.spec.parallelism ??= 1;
    o.spec.backoffLimit ??= 6;
    o.spec.completionMode ??= "NonIndexed";
    o.spec.suspend ??= false;
    defaultPodSpec(template(o)?.spec);
  },
  cronjobs: (o) => {
    o.spec ??= {};
    o.spec.concurrencyPolicy ??= "Allow";
    o.spec.suspend ??= false;
    o.spec.successfulJobsHistoryLimit ??= 3;
    o.spec.failedJobsHistoryLimit ??= 1;
    defaultPodSpec(o.spec.jobTemplate?.spec?.template?.spec);
  },
  services: (o) => {
    o.spec ??= {};
    o.spec.type ??= "ClusterIP";
    if (o.spec.type !== "ExternalName") {
      o.spec.sessionAffinity ??= "None";
      o.spec.internalTrafficPolicy ??= "Cluster";
      o.spec.ipFamilies ??= ["IPv4"];
      o.spec.ipFamilyPolicy ??= "SingleStack";
      if (o.spec.type === "NodePort" || o.spec.type === "LoadBalancer") o.spec.externalTrafficPolicy ??= "Cluster";
    }
    for (const p of o.spec.ports ?? []) {
      p.protocol ??= "TCP";
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
    }
  },
  secrets: (o) => {
    o.type ??= "Opaque";
  },
  namespaces: (o) => {
    o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name! };
    o.spec ??= {};
    o.spec.finalizers ??= ["kubernetes"];
  },
};

export function applyDefaults(resource: string, o: KubeObject): void {
  defaulters[resource]?.(o);
}
