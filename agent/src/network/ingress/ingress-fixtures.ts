/** Ingress objects for the routing and proxy tests. */
import type { Ingress } from "../../../../src/schema/networking.js";

type Spec = NonNullable<Ingress["spec"]>;
type PathSpec = NonNullable<NonNullable<NonNullable<Spec["rules"]>[number]["http"]>["paths"]>[number];

export function ingress(namespace: string, name: string, created: string, spec: Spec): Ingress {
  return { metadata: { namespace, name, creationTimestamp: created }, spec };
}

/** A path to Service `service` port `port` (number, or name). */
export function path(pathType: PathSpec["pathType"], value: string | undefined, service: string, port: number | string = 80): PathSpec {
  return {
    pathType,
    ...(value === undefined ? {} : { path: value }),
    backend: { service: { name: service, port: typeof port === "number" ? { number: port } : { name: port } } },
  };
}

export function rule(host: string | undefined, ...paths: PathSpec[]) {
  return { ...(host === undefined ? {} : { host }), http: { paths } };
}
