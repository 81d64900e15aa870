/**
 * Controllers seen through kubectl: rollouts, scaling, undo, events,
 * cordon and drain, with a simulated kubelet reporting pods Running/Ready.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { startSimKubelet, type SimKubelet } from "../support/sim-kubelet.js";

let cp: ControlPlane;
let k: ReturnType<typeof kubectlFor>;
let kubelets: SimKubelet[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  k = kubectlFor(cp);
  kubelets = [await startSimKubelet(cp, "sim-a"), await startSimKubelet(cp, "sim-b")];
});

afterAll(async () => {
  for (const s of kubelets) s.stop();
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("workloads through kubectl", () => {
  it("rolls out, scales, updates, shows history and undoes a Deployment", async () => {
    await k.ok(["create", "deployment", "web", "--image=kubeflare/busybox:v1", "--replicas=3"]);
    expect(await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"])).toContain('deployment "web" successfully rolled out');
    expect(await k.ok(["get", "deploy", "web"])).toMatch(/web\s+3\/3\s+3\s+3/);

    expect(await k.ok(["scale", "deployment", "web", "--replicas=5"])).toContain("deployment.apps/web scaled");
    await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"]);
    expect(await k.ok(["get", "deploy", "web", "-o", "jsonpath={.status.availableReplicas}"])).toBe("5");

    expect(await k.ok(["set", "image", "deployment/web", "busybox=kubeflare/busybox:v2"])).toContain("image updated");
    expect(await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"])).toContain("successfully rolled out");
    const history = await k.ok(["rollout", "history", "deployment/web"]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect(await k.ok(["rollout", "undo", "deployment/web"])).toContain("deployment.apps/web rolled back");
    await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"]);
    expect(await k.ok(["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).toBe("kubeflare/busybox:v1");
    const rs = await k.ok(["get", "rs", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.replicas} {end}"]);
    expect(rs.trim().split(" ").map(Number).sort()).toEqual([0, 5]);

    expect(await k.ok(["rollout", "restart", "deployment/web"])).toContain("restarted");
    await k.ok(["rollout", "status", "deployment/web", "--timeout=90s"]);
    await k.ok(["rollout", "pause", "deployment/web"]);
    expect(await k.ok(["get", "deploy", "web", "-o", "jsonpath={.spec.paused}"])).toBe("true");
    await k.ok(["rollout", "resume", "deployment/web"]);

    const events = await k.ok(["get", "events"]);
    expect(events).toMatch(/ScalingReplicaSet/);
    expect(events).toMatch(/Scheduled/);
    expect(events).toMatch(/SuccessfulCreate/);
    const describe = await k.ok(["describe", "deployment", "web"]);
    expect(describe).toMatch(/Scaled (up|down) replica set web-/);
    expect(await k.ok(["get", "all"])).toMatch(/deployment\.apps\/web\s+5\/5/);
  });

  it("runs a Job to completion and shows it", async () => {
    await k.ok(["create", "job", "once", "--image=kubeflare/busybox:test", "--", "true"]);
    const pod = await eventually(async () => {
      const items = JSON.parse(await k.ok(["get", "pods", "-l", "job-name=once", "-o", "json"])).items;
      return items.find((p: any) => p.status?.phase === "Running");
    });
    // The container exits 0: report it the way a kubelet does.
    const done = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    await api(cp, "POST", `/kubeflare/v1/nodes/${pod.spec.nodeName}/podstatus`, {
      items: [
        {
          namespace: "default",
          name: pod.metadata.name,
          uid: pod.metadata.uid,
          status: {
            phase: "Succeeded",
            conditions: [{ type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: done }],
            containerStatuses: [{ name: "once", ready: false, restartCount: 0, image: "kubeflare/busybox:test", imageID: "", state: { terminated: { exitCode: 0, reason: "Completed", startedAt: done, finishedAt: done } } }],
          },
        },
      ],
    });
    expect(await k.ok(["wait", "--for=condition=complete", "job/once", "--timeout=60s"])).toContain("job.batch/once condition met");
    expect(await k.ok(["get", "jobs"])).toMatch(/once\s+Complete\s+1\/1/);
    expect(await k.ok(["get", "pods", "-l", "job-name=once"])).toMatch(/Completed/);
  });

  it("cordons and drains a node through the eviction API", async () => {
    expect(await k.ok(["cordon", "sim-a"])).toContain("node/sim-a cordoned");
    expect(await k.ok(["get", "node", "sim-a"])).toMatch(/sim-a\s+Ready,SchedulingDisabled/);
    const drain = await k.run(["drain", "sim-a", "--ignore-daemonsets", "--timeout=30s"], undefined, 60_000);
    if (drain.code !== 0) throw new Error(`drain failed:\n${drain.stdout}\n${drain.stderr}`);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain("node/sim-a drained");
    const where = await k.ok(["get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}"]);
    expect(where.split(" ").every((n) => n === "sim-b")).toBe(true);
    await k.ok(["uncordon", "sim-a"]);
  });
});
