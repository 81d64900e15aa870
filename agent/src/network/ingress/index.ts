/** The Ingress proxy and its pure routing table. */
export { startIngressProxy, type IngressProxy, type IngressProxyOptions } from "./proxy.js";
export { buildRouteTable, routeIngress, type IngressRoute, type RouteTable } from "./routes.js";
