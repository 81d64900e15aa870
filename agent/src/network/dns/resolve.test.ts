import { describe, expect, it } from "vitest";
import { clusterView, endpoints, service } from "./cluster-fixtures.js";
import { FakeNetworkView } from "./fake-view.js";
import { resolve, type Resolution } from "./resolve.js";
import { Rcode, RecordType } from "./wire.js";

const view = clusterView();
const ask = (name: string, type: number = RecordType.A) => resolve(view, { name, type, class: 1 });

function answer(resolution: Resolution) {
  if (resolution.kind !== "answer") throw new Error("expected an answer, got forward");
  return resolution;
}
const data = (resolution: Resolution) => answer(resolution).answers.map((record) => record.data);

describe("cluster DNS records", () => {
  it("answers a Service's cluster IP with TTL 5", () => {
    const result = answer(ask("web.shop.svc.cluster.local"));
    expect(result.rcode).toBe(Rcode.NOERROR);
    expect(result.answers).toEqual([{ name: "web.shop.svc.cluster.local", type: RecordType.A, ttl: 5, data: "10.96.0.10" }]);
  });

  it("ignores case and a trailing dot", () => {
    expect(data(ask("WEB.Shop.svc.cluster.local."))).toEqual(["10.96.0.10"]);
  });

  it("has no AAAA for an IPv4 Service, but the name exists (NODATA with the zone's SOA)", () => {
    const result = answer(ask("web.shop.svc.cluster.local", RecordType.AAAA));
    expect(result.rcode).toBe(Rcode.NOERROR);
    expect(result.answers).toEqual([]);
    expect(result.authorities[0]).toMatchObject({ type: RecordType.SOA, name: "cluster.local" });
  });

  it("answers a headless Service with its ready endpoints, and each endpoint by hostname or dashed IP", () => {
    expect(data(ask("db.shop.svc.cluster.local"))).toEqual(["10.244.0.5", "10.244.0.6"]);
    expect(data(ask("db-0.db.shop.svc.cluster.local"))).toEqual(["10.244.0.5"]);
    expect(data(ask("10-244-0-6.db.shop.svc.cluster.local"))).toEqual(["10.244.0.6"]);
    expect(answer(ask("10-244-0-7.db.shop.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
  });

  it("publishes not-ready endpoints when the Service asks for it", () => {
    const publishing = new FakeNetworkView({
      services: [service("shop", "db", { clusterIP: "None", publishNotReadyAddresses: true })],
      endpoints: [endpoints("shop", "db", [{ addresses: [{ ip: "10.0.0.1" }], notReadyAddresses: [{ ip: "10.0.0.2" }] }])],
    });
    expect(data(resolve(publishing, { name: "db.shop.svc.cluster.local", type: RecordType.A, class: 1 }))).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  it("has no name for a headless Service without endpoints", () => {
    expect(answer(ask("lonely.shop.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
  });

  it("answers SRV for named ports: the Service name for a cluster IP, each endpoint for headless", () => {
    const web = answer(ask("_http._tcp.web.shop.svc.cluster.local", RecordType.SRV));
    expect(web.answers.map((record) => record.data)).toEqual([{ priority: 0, weight: 100, port: 80, target: "web.shop.svc.cluster.local" }]);
    expect(web.additionals).toEqual([{ name: "web.shop.svc.cluster.local", type: RecordType.A, ttl: 5, data: "10.96.0.10" }]);

    const db = answer(ask("_postgres._tcp.db.shop.svc.cluster.local", RecordType.SRV));
    expect(db.answers.map((record) => record.data)).toEqual([
      { priority: 0, weight: 50, port: 15432, target: "db-0.db.shop.svc.cluster.local" },
      { priority: 0, weight: 50, port: 15432, target: "10-244-0-6.db.shop.svc.cluster.local" },
    ]);
    expect(db.additionals.map((record) => record.data)).toEqual(["10.244.0.5", "10.244.0.6"]);

    expect(answer(ask("_http._udp.web.shop.svc.cluster.local", RecordType.SRV)).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("_nope._tcp.web.shop.svc.cluster.local", RecordType.SRV)).rcode).toBe(Rcode.NXDOMAIN);
  });

  it("lists every named port in SRV on the Service name", () => {
    expect(data(ask("web.shop.svc.cluster.local", RecordType.SRV)).map((srv: any) => srv.port)).toEqual([80, 9090]);
  });

  it("answers ExternalName with a CNAME, to be chased upstream when it points outside the cluster", () => {
    const result = answer(ask("ext.shop.svc.cluster.local"));
    expect(result.answers).toEqual([{ name: "ext.shop.svc.cluster.local", type: RecordType.CNAME, ttl: 5, data: "www.example.org" }]);
    expect(result.chase).toBe("www.example.org");
    expect(answer(ask("ext.shop.svc.cluster.local", RecordType.CNAME)).chase).toBeUndefined();
  });

  it("follows an ExternalName that points at a cluster name", () => {
    const result = answer(ask("alias.shop.svc.cluster.local"));
    expect(result.chase).toBeUndefined();
    expect(result.answers.map((record) => [record.type, record.data])).toEqual([
      [RecordType.CNAME, "web.shop.svc.cluster.local"],
      [RecordType.A, "10.96.0.10"],
    ]);
  });

  it("answers pod names from the dashed address", () => {
    expect(data(ask("10-244-3-7.shop.pod.cluster.local"))).toEqual(["10.244.3.7"]);
    expect(answer(ask("10-244-3-999.shop.pod.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
  });

  it("says NXDOMAIN for unknown cluster names, and NODATA for namespaces with Services", () => {
    expect(answer(ask("missing.shop.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("web.other.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("google.com.shop.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("a.b.web.shop.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("whatever.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("shop.svc.cluster.local"))).toMatchObject({ rcode: Rcode.NOERROR, answers: [] });
    expect(answer(ask("nowhere.svc.cluster.local")).rcode).toBe(Rcode.NXDOMAIN);
    expect(answer(ask("cluster.local", RecordType.SOA)).answers[0].type).toBe(RecordType.SOA);
  });

  it("answers PTR for Service IPs and headless endpoints, and forwards other addresses", () => {
    expect(data(ask("10.0.96.10.in-addr.arpa", RecordType.PTR))).toEqual(["web.shop.svc.cluster.local"]);
    expect(data(ask("5.0.244.10.in-addr.arpa", RecordType.PTR))).toEqual(["db-0.db.shop.svc.cluster.local"]);
    expect(ask("1.2.0.192.in-addr.arpa", RecordType.PTR)).toEqual({ kind: "forward" });
  });

  it("forwards names outside the cluster domain", () => {
    expect(ask("example.com")).toEqual({ kind: "forward" });
    expect(ask("cluster.local.example.com")).toEqual({ kind: "forward" });
  });

  it("uses the view's cluster domain", () => {
    const custom = new FakeNetworkView({ services: [service("a", "s", { clusterIP: "10.1.0.1" })] }, "corp.internal");
    expect(data(resolve(custom, { name: "s.a.svc.corp.internal", type: RecordType.A, class: 1 }))).toEqual(["10.1.0.1"]);
    expect(resolve(custom, { name: "s.a.svc.cluster.local", type: RecordType.A, class: 1 })).toEqual({ kind: "forward" });
  });
});
