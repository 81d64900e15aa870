import { describe, expect, it } from "vitest";
import type { Service } from "../../../src/schema/core.js";
import { environmentName, serviceEnvironment, withServiceEnvironment } from "./service-env.js";

const svc = (namespace: string, name: string, spec: NonNullable<Service["spec"]>): Service => ({ metadata: { namespace, name }, spec });

const services = [
  svc("shop", "redis-primary", {
    clusterIP: "10.96.0.11",
    ports: [
      { port: 6379, protocol: "TCP" },
      { name: "metrics", port: 9121, protocol: "UDP" },
    ],
  }),
  svc("shop", "headless", { clusterIP: "None", ports: [{ port: 80 }] }),
  svc("shop", "ext", { type: "ExternalName", externalName: "example.org" }),
  svc("other", "elsewhere", { clusterIP: "10.96.0.50", ports: [{ port: 80 }] }),
  svc("default", "kubernetes", { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] }),
];

const asObject = (vars: { name: string; value: string }[]) => Object.fromEntries(vars.map((v) => [v.name, v.value]));

describe("service environment variables", () => {
  it("gives the kubelet's docker-links variables for Services with a cluster IP in the namespace", () => {
    const env = asObject(serviceEnvironment(services, "shop"));
    expect(env).toMatchObject({
      REDIS_PRIMARY_SERVICE_HOST: "10.96.0.11",
      REDIS_PRIMARY_SERVICE_PORT: "6379",
      REDIS_PRIMARY_SERVICE_PORT_METRICS: "9121",
      REDIS_PRIMARY_PORT: "tcp://10.96.0.11:6379",
      REDIS_PRIMARY_PORT_6379_TCP: "tcp://10.96.0.11:6379",
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: "tcp",
      REDIS_PRIMARY_PORT_6379_TCP_PORT: "6379",
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: "10.96.0.11",
      REDIS_PRIMARY_PORT_9121_UDP: "udp://10.96.0.11:9121",
      REDIS_PRIMARY_PORT_9121_UDP_PROTO: "udp",
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      KUBERNETES_SERVICE_PORT_HTTPS: "443",
      KUBERNETES_PORT: "tcp://10.96.0.1:443",
    });
    expect(Object.keys(env).filter((name) => /HEADLESS|EXT_|ELSEWHERE/.test(name))).toEqual([]);
    expect(Object.keys(env).filter((name) => name.startsWith("REDIS_PRIMARY"))).toHaveLength(12);
  });

  it("keeps only the kubernetes Service when enableServiceLinks is false", () => {
    const names = serviceEnvironment(services, "shop", false).map((v) => v.name);
    expect(names.every((name) => name.startsWith("KUBERNETES_"))).toBe(true);
    expect(names).toContain("KUBERNETES_SERVICE_HOST");
  });

  it("prefers a kubernetes Service of the pod's own namespace", () => {
    const own = [...services, svc("shop", "kubernetes", { clusterIP: "10.96.0.77", ports: [{ port: 80 }] })];
    expect(asObject(serviceEnvironment(own, "shop")).KUBERNETES_SERVICE_HOST).toBe("10.96.0.77");
    expect(asObject(serviceEnvironment([...own].reverse(), "shop")).KUBERNETES_SERVICE_HOST).toBe("10.96.0.77");
  });

  it("brackets IPv6 cluster IPs in URLs", () => {
    const v6 = serviceEnvironment([svc("a", "web", { clusterIP: "fd00::10", ports: [{ port: 80 }] })], "a");
    expect(asObject(v6).WEB_PORT).toBe("tcp://[fd00::10]:80");
  });

  it("upper-cases names and turns dashes into underscores", () => {
    expect(environmentName("my-web-svc")).toBe("MY_WEB_SVC");
  });

  it("lets the container's own variables win", () => {
    const merged = withServiceEnvironment([["KUBERNETES_SERVICE_HOST", "mine"], ["A", "1"]], serviceEnvironment(services, "shop"));
    expect(merged.filter(([name]) => name === "KUBERNETES_SERVICE_HOST")).toEqual([["KUBERNETES_SERVICE_HOST", "mine"]]);
    expect(merged.at(-1)).toEqual(["A", "1"]);
  });
});
