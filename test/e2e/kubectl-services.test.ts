/**
 * Services with the real kubectl against `wrangler dev`: every type gets
 * what upstream gives it (cluster IP, node ports, LoadBalancer address from
 * the Ready nodes), `kubectl get svc` prints it, and a taken node port is
 * the 422 kubectl shows. A simulated kubelet stands in for a node.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { startSimKubelet, type SimKubelet } from "../support/sim-kubelet.js";

const NS = "svc-e2e";

describe("kubectl and Services", () => {
  let cp: ControlPlane;
  let kubectl: ReturnType<typeof kubectlFor>;
  let node: SimKubelet;

  beforeAll(async () => {
    cp = await startControlPlane();
    kubectl = kubectlFor(cp);
    node = await startSimKubelet(cp, "svc-e2e-node");
    await kubectl.ok(["create", "namespace", NS]);
  });

  afterAll(async () => {
    node?.stop();
    await cp?.stop();
    if (cp) removeState(cp.stateDir);
  });

  it("creates each type with kubectl and shows CLUSTER-IP, EXTERNAL-IP and PORT(S)", async () => {
    await kubectl.ok(["-n", NS, "create", "service", "clusterip", "web", "--tcp=80:8080"]);
    await kubectl.ok(["-n", NS, "create", "service", "nodeport", "np", "--tcp=80:8080"]);
    await kubectl.ok(["-n", NS, "create", "service", "loadbalancer", "lb", "--tcp=443:8443"]);
    await kubectl.ok(["-n", NS, "create", "service", "externalname", "ext", "--external-name=example.com"]);
    await kubectl.ok(["-n", NS, "create", "service", "clusterip", "db", "--clusterip=None"]);

    const rows = await eventually(async () => {
      const out = await kubectl.ok(["-n", NS, "get", "svc"]);
      const table = Object.fromEntries(
        out
          .trim()
          .split("\n")
          .slice(1)
          .map((l) => l.split(/\s+/))
          .map((cells) => [cells[0], cells]),
      );
      // The LoadBalancer gets its address from the Ready node once the controller has run.
      return table.lb?.[3] === "127.0.0.1" ? table : undefined;
    });
    const header = (await kubectl.ok(["-n", NS, "get", "svc"])).split("\n")[0].split(/\s+/);
    expect(header).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);

    expect(rows.web.slice(0, 5)).toEqual(["web", "ClusterIP", expect.stringMatching(/^10\.\d+\.\d+\.\d+$/), "<none>", "80/TCP"]);
    expect(rows.np[1]).toBe("NodePort");
    expect(rows.np[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(rows.lb[1]).toBe("LoadBalancer");
    expect(rows.lb[4]).toMatch(/^443:3\d{4}\/TCP$/);
    expect(rows.ext.slice(0, 5)).toEqual(["ext", "ExternalName", "<none>", "example.com", "<none>"]);
    expect(rows.db.slice(0, 3)).toEqual(["db", "ClusterIP", "None"]);
    const ips = [rows.web[2], rows.np[2], rows.lb[2]];
    expect(new Set(ips).size).toBe(3);
  });

  it("refuses a node port another Service holds, naming the field", async () => {
    const taken = (await kubectl.ok(["-n", NS, "get", "svc", "np", "-o", "jsonpath={.spec.ports[0].nodePort}"])).trim();
    expect(taken).toMatch(/^3\d{4}$/);
    const r = await kubectl.run(["-n", NS, "create", "service", "nodeport", "np2", "--tcp=81:8080", `--node-port=${taken}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`spec.ports[0].nodePort: Invalid value: ${taken}: provided port is already allocated`);

    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: pinned
  namespace: ${NS}
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 40000
`;
    const outside = await kubectl.run(["apply", "-f", "-"], manifest);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767");
  });

  it("kubectl apply twice keeps the allocated values, and deleting frees the node port", async () => {
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: applied
  namespace: ${NS}
spec:
  type: NodePort
  selector:
    app: applied
  ports:
  - port: 80
    targetPort: 8080
`;
    await kubectl.ok(["apply", "-f", "-"], manifest);
    const first = await kubectl.ok(["-n", NS, "get", "svc", "applied", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}"]);
    await kubectl.ok(["apply", "-f", "-"], manifest.replace("targetPort: 8080", "targetPort: 9090"));
    const second = await kubectl.ok(["-n", NS, "get", "svc", "applied", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}"]);
    expect(second).toBe(first);
    const port = first.split(" ")[1];
    await kubectl.ok(["-n", NS, "delete", "svc", "applied"]);
    await eventually(async () => (await kubectl.run(["-n", NS, "create", "service", "nodeport", "reuse", "--tcp=80:8080", `--node-port=${port}`])).code === 0);
  });
});
