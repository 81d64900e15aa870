/**
 * The routing table of every Ingress this node serves, merged as one
 * controller does: hosts exact, then wildcard (`*.example.com`, one label),
 * then rules without a host; within a host the longest matching path wins,
 * Exact over Prefix at equal length, the oldest Ingress on a tie; the oldest
 * spec.defaultBackend catches what no rule matches. Pure.
 */
import type { Ingress } from "../../../../src/schema/networking.js";

export interface IngressRoute {
  namespace: string;
  /** The Ingress the route came from. */
  ingress: string;
  service: string;
  /** Service port number, or its name. */
  port: number | string;
}

interface PathRule {
  exact: boolean;
  /** Exact: the path as written. Prefix: without its trailing slash ("" for "/"). */
  path: string;
  route: IngressRoute;
}

export interface RouteTable {
  match(host: string, path: string): IngressRoute | undefined;
}

type Backend = NonNullable<NonNullable<Ingress["spec"]>["defaultBackend"]>;

function routeOf(ingress: Ingress, backend: Backend | undefined): IngressRoute | undefined {
  const service = backend?.service;
  if (!service?.name) return undefined;
  const port = service.port?.number ?? service.port?.name;
  if (port === undefined) return undefined;
  return { namespace: ingress.metadata.namespace ?? "default", ingress: ingress.metadata.name ?? "", service: service.name, port };
}

/** Oldest first; name order breaks ties, so the choice is the same on every node. */
function byAge(a: Ingress, b: Ingress): number {
  const created = (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "");
  if (created !== 0) return created;
  return `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
}

export function buildRouteTable(ingresses: Ingress[]): RouteTable {
  const exactHosts = new Map<string, PathRule[]>();
  const wildcardHosts = new Map<string, PathRule[]>();
  const anyHost: PathRule[] = [];
  let defaultRoute: IngressRoute | undefined;
  for (const ingress of [...ingresses].sort(byAge)) {
    defaultRoute ??= routeOf(ingress, ingress.spec?.defaultBackend);
    for (const rule of ingress.spec?.rules ?? []) {
      const host = (rule.host ?? "").toLowerCase();
      const list = host === "" ? anyHost : host.startsWith("*.") ? listFor(wildcardHosts, host.slice(2)) : listFor(exactHosts, host);
      for (const path of rule.http?.paths ?? []) {
        const route = routeOf(ingress, path.backend);
        if (!route) continue;
        const exact = path.pathType === "Exact";
        const written = path.path || "/";
        list.push({ exact, path: exact ? written : written.replace(/\/+$/, ""), route });
      }
    }
  }
  return {
    match(rawHost, rawPath) {
      const host = normalizeHost(rawHost);
      const path = rawPath.split("?")[0] || "/";
      const dot = host.indexOf(".");
      return (
        matchPath(exactHosts.get(host), path) ??
        (dot > 0 ? matchPath(wildcardHosts.get(host.slice(dot + 1)), path) : undefined) ??
        matchPath(anyHost, path) ??
        defaultRoute
      );
    },
  };
}

function listFor(map: Map<string, PathRule[]>, key: string): PathRule[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** The Host header without its port or trailing dot, lower-cased. */
export function normalizeHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[")) name = name.slice(0, name.indexOf("]") + 1);
  else if (name.includes(":")) name = name.slice(0, name.lastIndexOf(":"));
  return name.replace(/\.$/, "");
}

function matchPath(rules: PathRule[] | undefined, path: string): IngressRoute | undefined {
  let best: PathRule | undefined;
  for (const rule of rules ?? []) {
    // Prefix matches whole path elements: "/foo" takes "/foo" and "/foo/bar", never "/foobar".
    const matches = rule.exact ? path === rule.path : rule.path === "" || path === rule.path || path.startsWith(`${rule.path}/`);
    if (!matches) continue;
    // Rules arrive oldest first, so only a strictly better rule replaces the one held.
    if (!best || rule.path.length > best.path.length || (rule.path.length === best.path.length && rule.exact && !best.exact)) {
      best = rule;
    }
  }
  return best?.route;
}

/** The route for one request (host header, request path) through `ingresses`. */
export function routeIngress(ingresses: Ingress[], host: string, path: string): IngressRoute | undefined {
  return buildRouteTable(ingresses).match(host, path);
}
