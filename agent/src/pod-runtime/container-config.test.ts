import { describe, expect, it } from "vitest";
import type { Pod } from "../../../src/schema/core.js";
import { containerCreateRequest, cpuShares, sandboxCreateRequest } from "./container-config.js";

const pod: Pod = {
  metadata: { name: "web", namespace: "shop", uid: "u1" },
  spec: {
    terminationGracePeriodSeconds: 15,
    containers: [
      {
        name: "server",
        image: "nginx:1.27",
        command: ["/bin/server", "--port=$(PORT)"],
        args: ["--mode", "$(MODE)", "$$(MODE)"],
        workingDir: "/srv",
        ports: [{ containerPort: 80, hostPort: 8080, hostIP: "127.0.0.1" }, { containerPort: 53, hostPort: 5353, protocol: "UDP" }],
        resources: { limits: { cpu: "500m", memory: "64Mi" }, requests: { cpu: "250m", memory: "32Mi" } },
        securityContext: { runAsUser: 1000, capabilities: { add: ["NET_ADMIN"] } },
      },
    ],
    hostAliases: [{ ip: "10.1.1.1", hostnames: ["db", "db.local"] }],
  },
};

describe("sandboxCreateRequest", () => {
  it("publishes hostPorts, owns the hostname and shares IPC", () => {
    const { name, body } = sandboxCreateRequest({ pod, nodeName: "n1", pauseImage: "kubeflare/pause:x", attempt: 0, network: "bridge" });
    expect(name).toBe("k8s_POD_web_shop_u1_0");
    expect(body).toMatchObject({
      Image: "kubeflare/pause:x",
      Hostname: "web",
      ExposedPorts: { "80/tcp": {}, "53/udp": {} },
      HostConfig: {
        NetworkMode: "bridge",
        IpcMode: "shareable",
        PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }], "53/udp": [{ HostIp: "", HostPort: "5353" }] },
        ExtraHosts: ["db:10.1.1.1", "db.local:10.1.1.1"],
      },
      Labels: { "io.kubeflare.role": "infra", "io.kubeflare.node": "n1", "io.kubeflare.pod.termination-grace-period": "15" },
    });
  });

  it("uses the host network for hostNetwork pods", () => {
    const hostPod = { ...pod, spec: { ...pod.spec, hostNetwork: true } };
    const { body } = sandboxCreateRequest({ pod: hostPod, nodeName: "n1", pauseImage: "p", attempt: 2, network: "bridge" });
    expect(body).toMatchObject({ HostConfig: { NetworkMode: "host", PortBindings: {} } });
    expect(body.Hostname).toBeUndefined();
  });
});

describe("containerCreateRequest", () => {
  const { name, body } = containerCreateRequest({
    pod,
    container: pod.spec.containers[0],
    role: "app",
    attempt: 3,
    backoffStep: 2,
    sandboxId: "sandbox-id",
    nodeName: "n1",
    env: [
      ["PORT", "80"],
      ["MODE", "fast"],
    ],
    binds: ["/state/x:/data:rw"],
  });

  it("joins the sandbox's namespaces", () => {
    expect(name).toBe("k8s_server_web_shop_u1_3");
    expect(body.HostConfig).toMatchObject({ NetworkMode: "container:sandbox-id", IpcMode: "container:sandbox-id" });
  });

  it("maps command/args with $(VAR) expansion, env, workingDir, user and binds", () => {
    expect(body).toMatchObject({
      Image: "nginx:1.27",
      Entrypoint: ["/bin/server", "--port=80"],
      Cmd: ["--mode", "fast", "$(MODE)"],
      Env: ["PORT=80", "MODE=fast"],
      WorkingDir: "/srv",
      User: "1000",
      HostConfig: { Binds: ["/state/x:/data:rw"], CapAdd: ["NET_ADMIN"] },
    });
  });

  it("maps resources like the kubelet", () => {
    expect(body.HostConfig).toMatchObject({
      Memory: 64 * 1024 * 1024,
      MemoryReservation: 32 * 1024 * 1024,
      NanoCpus: 500_000_000,
      CpuShares: 256,
    });
    expect(cpuShares({ name: "x" })).toBe(2);
  });

  it("labels the instance for adoption", () => {
    expect(body.Labels).toMatchObject({
      "io.kubeflare.role": "app",
      "io.kubeflare.container.name": "server",
      "io.kubeflare.container.restart-count": "3",
      "io.kubeflare.container.backoff-step": "2",
      "io.kubeflare.sandbox": "sandbox-id",
      "io.kubeflare.pod.uid": "u1",
    });
  });

  it("leaves ENTRYPOINT and CMD to the image when command and args are absent", () => {
    const plain = containerCreateRequest({
      pod,
      container: { name: "plain", image: "busybox" },
      role: "init",
      attempt: 0,
      backoffStep: 0,
      sandboxId: "s",
      nodeName: "n1",
      env: [],
      binds: [],
    });
    expect(plain.body.Entrypoint).toBeUndefined();
    expect(plain.body.Cmd).toBeUndefined();
  });
});
