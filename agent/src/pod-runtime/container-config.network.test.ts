import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../../../src/schema/core.js";
import { containerCreateRequest, sandboxCreateRequest } from "./container-config.js";

const pod: Pod = {
  metadata: { name: "web", namespace: "shop", uid: "u1" },
  spec: { containers: [{ name: "app", image: "busybox", command: ["echo", "$(DB_SERVICE_HOST)"] }] },
};
const services: Service[] = [{ metadata: { namespace: "shop", name: "db" }, spec: { clusterIP: "10.96.0.20", ports: [{ port: 5432 }] } }];

function appRequest(target: Pod, extra: { services?: Service[]; env?: [string, string][] }) {
  return containerCreateRequest({
    pod: target,
    container: target.spec.containers[0],
    role: "app",
    attempt: 0,
    backoffStep: 0,
    sandboxId: "sandbox",
    nodeName: "n1",
    env: extra.env ?? [],
    binds: [],
    services: extra.services,
  });
}

describe("container config: cluster DNS and service variables", () => {
  it("points the infra container at the cluster DNS when one is configured", () => {
    const { body } = sandboxCreateRequest({ pod, nodeName: "n1", pauseImage: "p", attempt: 0, network: "bridge", clusterDNS: "172.17.0.1" });
    expect(body.HostConfig).toMatchObject({
      Dns: ["172.17.0.1"],
      DnsSearch: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      DnsOptions: ["ndots:5"],
    });
  });

  it("leaves Docker's DNS alone without a cluster DNS", () => {
    const { body } = sandboxCreateRequest({ pod, nodeName: "n1", pauseImage: "p", attempt: 0, network: "bridge" });
    expect(body.HostConfig).not.toHaveProperty("Dns");
    expect(body.HostConfig).not.toHaveProperty("DnsSearch");
  });

  it("adds service variables under the container's own, usable in $(VAR) expansion", () => {
    const { body } = appRequest(pod, { services, env: [["DB_SERVICE_PORT", "override"]] });
    expect(body.Env).toContain("DB_SERVICE_HOST=10.96.0.20");
    expect(body.Env).toContain("DB_SERVICE_PORT=override");
    expect(body.Env).not.toContain("DB_SERVICE_PORT=5432");
    expect(body.Entrypoint).toEqual(["echo", "10.96.0.20"]);
  });

  it("honours enableServiceLinks: false, and adds nothing without services", () => {
    const unlinked = { ...pod, spec: { ...pod.spec, enableServiceLinks: false } };
    expect(appRequest(unlinked, { services }).body.Env).toEqual([]);
    expect(appRequest(pod, {}).body.Env).toEqual([]);
  });
});
