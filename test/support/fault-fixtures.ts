/**
 * What the fault tests share: the `web` Deployment they break things under,
 * and how they read its pods back from kubectl.
 */
import { stringify } from "yaml";
import type { Kubectl } from "./cluster.js";
import { TEST_IMAGE } from "./images.js";

export interface WebDeploymentOptions {
  replicas: number;
  /** What httpd serves at `/`: a shell word, so "$VERSION" serves an env var. */
  content?: string;
  env?: { name: string; value: string }[];
  envFrom?: Record<string, unknown>[];
  strategy?: Record<string, unknown>;
  tolerations?: Record<string, unknown>[];
  /** Delays readiness, so that each step of a rollout takes a while. */
  initialDelaySeconds?: number;
}

/** A Deployment `web` (label app=web) of busybox httpd on port 8080, Ready once it serves `/`. */
export function webDeployment(namespace: string, opts: WebDeploymentOptions): string {
  const container = {
    name: "httpd",
    image: TEST_IMAGE,
    imagePullPolicy: "Never",
    command: ["sh", "-c", `echo ${opts.content ?? "up"} > /tmp/index.html && exec httpd -f -p 8080 -h /tmp`],
    ...(opts.env && { env: opts.env }),
    ...(opts.envFrom && { envFrom: opts.envFrom }),
    readinessProbe: {
      httpGet: { path: "/", port: 8080 },
      ...(opts.initialDelaySeconds !== undefined && { initialDelaySeconds: opts.initialDelaySeconds }),
      periodSeconds: 1,
    },
  };
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace },
    spec: {
      replicas: opts.replicas,
      ...(opts.strategy && { strategy: opts.strategy }),
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          terminationGracePeriodSeconds: 2,
          ...(opts.tolerations && { tolerations: opts.tolerations }),
          containers: [container],
        },
      },
    },
  });
}

/** The pods of `namespace` (optionally only those matching a label selector), as kubectl returns them. */
export async function listPods(k: Kubectl, namespace: string, selector?: string): Promise<any[]> {
  const args = ["get", "pods", "-n", namespace, ...(selector ? ["-l", selector] : []), "-o", "json"];
  return JSON.parse(await k.ok(args)).items;
}

/** Running with its Ready condition True. */
export function podReady(pod: any): boolean {
  return pod.status?.phase === "Running" && pod.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
}
