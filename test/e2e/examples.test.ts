/**
 * Every manifest in examples/ is applied as a user would, against wrangler dev
 * and a real agent on Docker, and reaches the state its comments promise.
 * No registry is reachable here, so `busybox:1.36` is swapped for the local
 * busybox test image; the node exporter (an image we cannot pull) is swapped
 * for busybox httpd serving a file read through the same hostPath mount, on
 * the same hostPort.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { eventually } from "../support/controlplane.js";
import { dockerContainers } from "../support/agents.js";
import { startCluster, type Cluster, type Kubectl } from "../support/cluster.js";
import { TEST_IMAGE } from "../support/images.js";

const NODE = "e2e-examples";
const examples = resolve(import.meta.dirname, "../../examples");
let cluster: Cluster | undefined;
let k: Kubectl;

/** The example as applied here: same objects, images that exist on this machine. */
function localized(file: string, edit: (doc: any) => void = () => {}): string {
  const text = readFileSync(join(examples, file), "utf8").replaceAll("image: busybox:1.36", `image: ${TEST_IMAGE}`);
  return parseAllDocuments(text)
    .map((d) => {
      const doc = d.toJS();
      edit(doc);
      return stringify(doc);
    })
    .join("---\n");
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

const jsonpath = (args: string[]) => k.ok([...args, "-o", "json"]).then((s) => JSON.parse(s));

// A Service range and Ingress port of this test's own, so agents of other clusters on this host never answer for it.
const SERVICE_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
let ingressPort: number;

/** GET through the agent's Ingress proxy with a Host header, as a browser at web.example.local would. */
const viaIngress = (host: string) =>
  new Promise<{ status: number; body: string }>((done, fail) => {
    const req = request({ host: "127.0.0.1", port: ingressPort, path: "/", headers: { host } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end();
  });

beforeAll(async () => {
  ingressPort = await freePort();
  cluster = await startCluster({
    nodes: [{ name: NODE, env: { KUBEFLARE_SERVICE_CIDR: SERVICE_CIDR, KUBEFLARE_INGRESS_HTTP_PORT: String(ingressPort), KUBEFLARE_INGRESS_HTTPS_PORT: "0" } }],
    vars: { SERVICE_CIDR },
  });
  k = cluster.k;
});

afterAll(() => cluster?.stop());

describe("examples/", () => {
  it("web-app.yaml: three ready replicas behind a Service with three endpoints and an Ingress", async () => {
    await k.ok(["apply", "-f", "-"], localized("web-app.yaml"));
    expect(await k.ok(["rollout", "status", "deployment/web", "--timeout=120s"])).toContain("successfully rolled out");
    const endpoints = await eventually(async () => {
      const ep = await jsonpath(["get", "endpoints", "web"]);
      const ready = ep.subsets?.flatMap((s: any) => s.addresses ?? []) ?? [];
      return ready.length === 3 && ep;
    }, 60_000);
    expect(endpoints.subsets[0].ports).toEqual([expect.objectContaining({ name: "http", port: 8080 })]);
    const ingress = await jsonpath(["get", "ingress", "web"]);
    expect(ingress.spec.rules[0].host).toBe("web.example.local");
    // Each replica serves its own name: the command in the example really ran.
    const pods = (await jsonpath(["get", "pods", "-l", "app=web"])).items;
    const names = new Set<string>(pods.map((p: any) => p.metadata.name));
    for (const pod of pods) {
      const [app] = dockerContainers({ "io.kubeflare.pod.uid": pod.metadata.uid, "io.kubeflare.container.name": "httpd" });
      expect(execFileSync("docker", ["exec", app.id, "cat", "/www/index.html"], { encoding: "utf8" }).trim()).toBe(pod.metadata.name);
    }
    // The Ingress routes web.example.local through the node's Ingress proxy to the replicas.
    await eventually(async () => (await viaIngress("web.example.local").catch(() => undefined))?.status === 200, 60_000);
    const served = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await viaIngress("web.example.local");
      expect(res.status).toBe(200);
      served.add(res.body.trim());
    }
    for (const name of served) expect(names.has(name)).toBe(true);
    expect(served.size).toBeGreaterThan(1);
    expect((await viaIngress("other.example.local")).status).toBe(404);
  });

  it("configmap-app.yaml: env from the ConfigMap, the page mounted as a file", async () => {
    await k.ok(["apply", "-f", "-"], localized("configmap-app.yaml"));
    expect(await k.ok(["rollout", "status", "deployment/greeter", "--timeout=120s"])).toContain("successfully rolled out");
    const logs = await eventually(async () => {
      const out = await k.ok(["logs", "deploy/greeter"]);
      return out.includes("hello from a ConfigMap") && out;
    }, 60_000);
    expect(logs.trim()).toBe("hello from a ConfigMap");
    const [pod] = (await jsonpath(["get", "pods", "-l", "app=greeter"])).items;
    const [app] = dockerContainers({ "io.kubeflare.pod.uid": pod.metadata.uid, "io.kubeflare.container.name": "greeter" });
    expect(execFileSync("docker", ["exec", app.id, "cat", "/www/index.html"], { encoding: "utf8" })).toContain("a file from the greeter-config ConfigMap");
  });

  it("job.yaml: three completions, each printing the sum", async () => {
    await k.ok(["apply", "-f", "-"], localized("job.yaml"));
    const job = await eventually(async () => {
      const j = await jsonpath(["get", "job", "sum"]);
      return j.status?.succeeded === 3 && j;
    }, 120_000);
    expect(job.status.conditions.some((c: any) => c.type === "Complete" && c.status === "True")).toBe(true);
    expect(await k.ok(["logs", "job/sum"])).toContain("sum: 5000050000");
  });

  it("cronjob.yaml: the CronJob is accepted and a run created from it completes", async () => {
    await k.ok(["apply", "-f", "-"], localized("cronjob.yaml"));
    const cron = await jsonpath(["get", "cronjob", "clock"]);
    expect(cron.spec.schedule).toBe("* * * * *");
    await k.ok(["create", "job", "--from=cronjob/clock", "clock-now"]);
    await eventually(async () => (await jsonpath(["get", "job", "clock-now"])).status?.succeeded === 1, 120_000);
    expect(await k.ok(["logs", "job/clock-now"])).toMatch(/^tick \d{4}-\d\d-\d\dT/);
    const job = await jsonpath(["get", "job", "clock-now"]);
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", name: "clock" });
  });

  it("node-exporter.yaml: one pod per node, the host's /proc served on the node's port", async () => {
    const hostPort = await freePort();
    const manifest = localized("node-exporter.yaml", (doc) => {
      if (doc.kind !== "DaemonSet") return;
      const [c] = doc.spec.template.spec.containers;
      c.image = TEST_IMAGE;
      delete c.args;
      // /proc files report size 0, so httpd cannot serve them in place: serve a copy read through the mount.
      c.command = ["sh", "-c", "mkdir -p /www && cat /host/proc/version > /www/version && exec httpd -f -p 9100 -h /www"];
      c.ports[0].hostPort = hostPort;
    });
    await k.ok(["apply", "-f", "-"], manifest);
    const ds = await eventually(async () => {
      const d = await jsonpath(["-n", "monitoring", "get", "daemonset", "node-exporter"]);
      return d.status?.numberReady === 1 && d;
    }, 120_000);
    expect(ds.status.desiredNumberScheduled).toBe(1);
    const version = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${hostPort}/version`).catch(() => undefined);
      return res?.ok && (await res.text());
    }, 30_000);
    expect(version).toBe(readFileSync("/proc/version", "utf8"));
  });
});
