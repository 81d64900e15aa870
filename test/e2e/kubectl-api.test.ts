/**
 * The real kubectl against `wrangler dev`: what a user types on day one.
 * One control plane for the file; the restart test at the end reuses its state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";

const manifest = (replicas: number, color: string) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  color: ${color}
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: shop
stringData:
  password: s3cr3t
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: kubeflare/busybox:test
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
`;

const pod = (name: string, image = "kubeflare/busybox:test") => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  containers:
  - name: main
    image: ${image}
    command: ["sleep", "3600"]
`;

let cp: ControlPlane;
let k: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  cp = await startControlPlane();
  k = kubectlFor(cp);
});

afterAll(async () => {
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("kubectl against the control plane", () => {
  it("serves /version with minor 32 so the dispatcher picks kubectl 1.32", async () => {
    const out = await k.ok(["version", "-o", "json"]);
    const v = JSON.parse(out);
    expect(v.serverVersion.minor).toBe("32");
    expect(v.clientVersion.gitVersion).toMatch(/^v1\.32\./);
  });

  it("rejects requests without a valid token with a 401 Status", async () => {
    const r = await api(cp, "GET", "/api/v1/namespaces", undefined, { authorization: "Bearer wrong" });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("applies a multi-document manifest, then reports unchanged and configured", async () => {
    const first = await k.ok(["apply", "-f", "-"], manifest(2, "blue"));
    expect(first).toContain("namespace/shop created");
    expect(first).toContain("configmap/web-config created");
    expect(first).toContain("secret/web-secret created");
    expect(first).toContain("deployment.apps/web created");
    expect(first).toContain("service/web created");

    const again = await k.ok(["apply", "-f", "-"], manifest(2, "blue"));
    expect(again).toContain("deployment.apps/web unchanged");
    expect(again).toContain("configmap/web-config unchanged");

    const changed = await k.ok(["apply", "-f", "-"], manifest(3, "green"));
    expect(changed).toContain("deployment.apps/web configured");
    expect(changed).toContain("configmap/web-config configured");
    expect(changed).toContain("service/web unchanged");

    const replicas = await k.ok(["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas} {.metadata.generation}"]);
    expect(replicas).toBe("3 2");
    expect(await k.ok(["get", "cm", "web-config", "-n", "shop", "-o", "jsonpath={.data.color}"])).toBe("green");
    const secret = await k.ok(["get", "secret", "web-secret", "-n", "shop", "-o", "jsonpath={.data.password}"]);
    expect(Buffer.from(secret, "base64").toString()).toBe("s3cr3t");
  });

  it("prints tables with the usual columns, wide output, yaml, jsonpath and all namespaces", async () => {
    await k.ok(["apply", "-f", "-"], pod("table-pod"));
    const pods = await k.ok(["get", "pods"]);
    expect(pods).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(pods).toMatch(/table-pod\s+0\/1\s+Pending\s+0\s+\d+s/);
    const wide = await k.ok(["get", "pods", "-o", "wide"]);
    expect(wide).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    const deploys = await k.ok(["get", "deployments", "-n", "shop"]);
    expect(deploys).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    const svc = await k.ok(["get", "svc", "-n", "shop"]);
    expect(svc).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svc).toMatch(/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP/);
    const yaml = await k.ok(["get", "pod", "table-pod", "-o", "yaml"]);
    expect(yaml).toContain("kind: Pod");
    expect(yaml).toMatch(/uid: [0-9a-f-]{36}/);
    expect(yaml).toMatch(/resourceVersion: "\d+"/);
    expect(yaml).toContain("creationTimestamp:");
    const all = await k.ok(["get", "pods,configmaps", "-A"]);
    expect(all).toMatch(/NAMESPACE\s+NAME/);
    expect(all).toMatch(/default\s+pod\/table-pod/);
    expect(all).toMatch(/shop\s+configmap\/web-config/);
    const names = await k.ok(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"]);
    expect(names.split(" ")).toEqual(expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease", "shop"]));
    const labelled = await k.ok(["get", "pods", "-l", "app in (table-pod, other)", "-o", "name"]);
    expect(labelled.trim()).toBe("pod/table-pod");
    const none = await k.run(["get", "pods", "-l", "app=nothing"]);
    expect(none.stderr).toContain("No resources found in default namespace.");
  });

  it("streams changes to kubectl get -w", async () => {
    const watcher = k.spawn(["get", "pods", "-w", "--output-watch-events"]);
    let out = "";
    watcher.stdout!.on("data", (d) => (out += d));
    try {
      await eventually(async () => out.includes("table-pod"), 20_000);
      await k.ok(["apply", "-f", "-"], pod("watched-pod"));
      await eventually(async () => /ADDED\s+watched-pod/.test(out), 20_000);
      await k.ok(["label", "pod", "watched-pod", "tier=web"]);
      await eventually(async () => /MODIFIED\s+watched-pod/.test(out), 20_000);
    } finally {
      watcher.kill();
    }
  });

  it("streams changes across all namespaces to kubectl get -A -w, including namespaces created later", async () => {
    const watcher = k.spawn(["get", "configmaps", "-A", "-w"]);
    let out = "";
    watcher.stdout!.on("data", (d) => (out += d));
    try {
      await eventually(async () => out.includes("web-config"), 20_000);
      await k.ok(["create", "namespace", "late-ns"]);
      await k.ok(["create", "configmap", "late-cm", "-n", "late-ns", "--from-literal=a=b"]);
      await eventually(async () => /late-ns\s+late-cm/.test(out), 20_000);
      await k.ok(["create", "configmap", "default-cm", "--from-literal=a=b"]);
      await eventually(async () => /default\s+default-cm/.test(out), 20_000);
    } finally {
      watcher.kill();
    }
    const collection = await api(cp, "DELETE", "/api/v1/namespaces/late-ns/configmaps?labelSelector=");
    expect(collection.status).toBe(200);
    expect(collection.body.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toContain("late-cm");
    expect((await k.run(["get", "cm", "late-cm", "-n", "late-ns"])).code).not.toBe(0);
  });

  it("describes objects", async () => {
    const d = await k.ok(["describe", "pod", "table-pod"]);
    expect(d).toMatch(/Name:\s+table-pod/);
    expect(d).toMatch(/Namespace:\s+default/);
    expect(d).toMatch(/Image:\s+kubeflare\/busybox:test/);
    const dd = await k.ok(["describe", "deployment", "web", "-n", "shop"]);
    expect(dd).toMatch(/Replicas:\s+3 desired/);
  });

  it("creates configmaps and secrets from literals (protobuf bodies)", async () => {
    expect(await k.ok(["create", "configmap", "lit", "--from-literal=key1=val1", "--from-literal=key2=val2"])).toContain(
      "configmap/lit created",
    );
    expect(await k.ok(["get", "cm", "lit", "-o", "jsonpath={.data.key2}"])).toBe("val2");
    expect(await k.ok(["create", "secret", "generic", "db", "--from-literal=password=hunter2"])).toContain("secret/db created");
    const s = JSON.parse(await k.ok(["get", "secret", "db", "-o", "json"]));
    expect(s.type).toBe("Opaque");
    expect(Buffer.from(s.data.password, "base64").toString()).toBe("hunter2");
    expect(await k.ok(["create", "namespace", "made-by-create"])).toContain("namespace/made-by-create created");
    expect(await k.ok(["create", "deployment", "made", "--image=kubeflare/busybox:test", "--replicas=2"])).toContain(
      "deployment.apps/made created",
    );
    expect(await k.ok(["get", "deploy", "made", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).toBe(
      "kubeflare/busybox:test",
    );
  });

  it("labels, annotates and patches with all three patch types", async () => {
    await k.ok(["label", "pod", "table-pod", "tier=backend"]);
    await k.ok(["annotate", "pod", "table-pod", "note=hello"]);
    const meta = JSON.parse(await k.ok(["get", "pod", "table-pod", "-o", "json"])).metadata;
    expect(meta.labels).toMatchObject({ app: "table-pod", tier: "backend" });
    expect(meta.annotations.note).toBe("hello");

    await k.ok(["patch", "deployment", "web", "-n", "shop", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"kubeflare/busybox:v2"}]}}}}']);
    await k.ok(["patch", "deployment", "web", "-n", "shop", "--type=merge", "-p", '{"metadata":{"labels":{"patched":"merge"}}}']);
    await k.ok(["patch", "deployment", "web", "-n", "shop", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    const d = JSON.parse(await k.ok(["get", "deployment", "web", "-n", "shop", "-o", "json"]));
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: "web", image: "kubeflare/busybox:v2", ports: [{ containerPort: 8080 }] });
    expect(d.metadata.labels.patched).toBe("merge");
    expect(d.spec.replicas).toBe(4);
  });

  it("lists api-resources and explains fields from the OpenAPI schema", async () => {
    const res = await k.ok(["api-resources"]);
    expect(res).toMatch(/pods\s+po\s+v1\s+true\s+Pod/);
    expect(res).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(res).toMatch(/leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/);
    const explain = await k.ok(["explain", "pod.spec.containers"]);
    expect(explain).toContain("KIND:       Pod");
    expect(explain).toMatch(/image\s+<string>/);
    const spec = await k.ok(["explain", "pod.spec"]);
    expect(spec).toMatch(/containers\s+<\[\]Container> -required-/);
  });

  it("gives Kubernetes-style errors for invalid manifests and keeps what is stored", async () => {
    const before = await k.ok(["get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}"]);
    const noImage = await k.run(["apply", "-f", "-"], pod("bad-pod").replace("    image: kubeflare/busybox:test\n", ""));
    expect(noImage.code).not.toBe(0);
    expect(noImage.stderr).toContain('The Pod "bad-pod" is invalid: spec.containers[0].image: Required value');

    const unknownField = await k.run(["apply", "-f", "-"], pod("typo-pod").replace("    command:", "    imagePullPolice: Always\n    command:"));
    expect(unknownField.code).not.toBe(0);
    expect(unknownField.stderr).toMatch(/unknown field "spec.containers\[0\].imagePullPolice"/);

    const badSelector = await k.run(
      ["apply", "-f", "-"],
      manifest(2, "blue").split("---")[3].replace("      labels:\n        app: web\n    spec:", "      labels:\n        app: other\n    spec:"),
    );
    expect(badSelector.code).not.toBe(0);
    expect(badSelector.stderr).toContain("`selector` does not match template `labels`");

    const garbage = await api(cp, "POST", "/api/v1/namespaces/default/pods", "{not json");
    expect(garbage.status).toBe(400);
    expect(garbage.body.kind).toBe("Status");

    expect((await k.run(["get", "pod", "bad-pod"])).stderr).toContain('pods "bad-pod" not found');
    const after = await k.ok(["get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}"]);
    expect(after).toBe(before);
  });

  it("honours dryRun=All and optimistic concurrency", async () => {
    const dry = await k.ok(["apply", "--dry-run=server", "-f", "-"], pod("dry-pod"));
    expect(dry).toContain("pod/dry-pod created (server dry run)");
    expect((await k.run(["get", "pod", "dry-pod"])).code).not.toBe(0);

    const cm = (await api(cp, "GET", "/api/v1/namespaces/default/configmaps/lit")).body;
    const stale = structuredClone(cm);
    cm.data.key1 = "first";
    expect((await api(cp, "PUT", "/api/v1/namespaces/default/configmaps/lit", cm)).status).toBe(200);
    stale.data.key1 = "second";
    const conflict = await api(cp, "PUT", "/api/v1/namespaces/default/configmaps/lit", stale);
    expect(conflict.status).toBe(409);
    expect(conflict.body.reason).toBe("Conflict");
    expect(await k.ok(["get", "cm", "lit", "-o", "jsonpath={.data.key1}"])).toBe("first");
  });

  it("server-side applies the same manifest repeatedly with stable results", async () => {
    const first = await k.ok(["apply", "--server-side", "-f", "-"], pod("ssa-pod"));
    expect(first).toContain("pod/ssa-pod serverside-applied");
    const rv1 = await k.ok(["get", "pod", "ssa-pod", "-o", "jsonpath={.metadata.resourceVersion}"]);
    await k.ok(["apply", "--server-side", "-f", "-"], pod("ssa-pod"));
    const o = JSON.parse(await k.ok(["get", "pod", "ssa-pod", "-o", "json", "--show-managed-fields"]));
    expect(o.spec.containers).toHaveLength(1);
    expect(o.metadata.managedFields.some((f: { manager: string; operation: string }) => f.manager === "kubectl" && f.operation === "Apply")).toBe(true);
    expect(o.metadata.resourceVersion).toBe(rv1);
  });

  it("deletes with kubectl delete -f and kubectl delete pod", async () => {
    expect(await k.ok(["delete", "pod", "watched-pod"])).toContain('pod "watched-pod" deleted');
    // Everything but the Namespace first: deleting a namespace removes its content on its own.
    const content = manifest(3, "green").split("---").slice(1).join("---");
    const out = await k.ok(["delete", "-f", "-"], content);
    expect(out).toContain('deployment.apps "web" deleted');
    expect(out).toContain('configmap "web-config" deleted');
    expect(out).toContain('service "web" deleted');
    await k.ok(["create", "configmap", "left-behind", "-n", "shop", "--from-literal=a=b"]);
    expect(await k.ok(["delete", "-f", "-"], manifest(3, "green").split("---")[0])).toContain('namespace "shop" deleted');
    expect((await k.run(["get", "ns", "shop"])).stderr).toContain('namespaces "shop" not found');
    expect((await k.run(["get", "deploy", "web", "-n", "shop"])).code).not.toBe(0);
    // A namespace made again with the same name starts empty.
    await k.ok(["create", "namespace", "shop"]);
    expect((await k.run(["get", "cm", "-n", "shop", "-o", "name"])).stdout).not.toContain("left-behind");
    await k.ok(["delete", "namespace", "shop"]);
  });

  it("keeps everything across a restart of wrangler dev", async () => {
    const before = await k.ok(["get", "cm,secret,pods", "-o", "name"]);
    const rv = await k.ok(["get", "cm", "lit", "-o", "jsonpath={.metadata.resourceVersion}"]);
    await cp.stop();
    const port = cp.port;
    cp = await startControlPlane({ stateDir: cp.stateDir, port });
    expect(await k.ok(["get", "cm,secret,pods", "-o", "name"])).toBe(before);
    expect(await k.ok(["get", "cm", "lit", "-o", "jsonpath={.metadata.resourceVersion}"])).toBe(rv);
    await k.ok(["label", "cm", "lit", "after=restart"]);
    const rv2 = await k.ok(["get", "cm", "lit", "-o", "jsonpath={.metadata.resourceVersion}"]);
    expect(BigInt(rv2) > BigInt(rv)).toBe(true);
  });
});
