/** Services and Endpoints shared by the cluster DNS tests. */
import type { Endpoints, Service } from "../../../../src/schema/core.js";
import { FakeNetworkView } from "./fake-view.js";

export function service(namespace: string, name: string, spec: NonNullable<Service["spec"]>): Service {
  return { metadata: { namespace, name }, spec };
}

export function endpoints(namespace: string, name: string, subsets: NonNullable<Endpoints["subsets"]>): Endpoints {
  return { metadata: { namespace, name }, subsets };
}

export function clusterView(): FakeNetworkView {
  return new FakeNetworkView({
    services: [
      service("shop", "web", {
        clusterIP: "10.96.0.10",
        ports: [
          { name: "http", port: 80, protocol: "TCP" },
          { name: "metrics", port: 9090 },
        ],
      }),
      service("shop", "db", { clusterIP: "None", ports: [{ name: "postgres", port: 5432 }] }),
      service("shop", "lonely", { clusterIP: "None", ports: [{ name: "x", port: 1 }] }),
      service("shop", "ext", { type: "ExternalName", externalName: "www.example.org." }),
      service("shop", "alias", { type: "ExternalName", externalName: "web.shop.svc.cluster.local" }),
    ],
    endpoints: [
      endpoints("shop", "db", [
        {
          addresses: [{ ip: "10.244.0.5", hostname: "db-0" }, { ip: "10.244.0.6" }],
          notReadyAddresses: [{ ip: "10.244.0.7" }],
          ports: [{ name: "postgres", port: 15432, protocol: "TCP" }],
        },
      ]),
      endpoints("shop", "web", [{ addresses: [{ ip: "10.244.1.1" }], ports: [{ name: "http", port: 8080 }] }]),
    ],
  });
}
