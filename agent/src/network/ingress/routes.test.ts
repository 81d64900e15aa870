import { describe, expect, it } from "vitest";
import { ingress, path, rule } from "./ingress-fixtures.js";
import { normalizeHost, routeIngress } from "./routes.js";

const shop = ingress("shop", "shop", "2024-01-01T00:00:00Z", {
  rules: [
    rule(
      "shop.example.com",
      path("Prefix", "/", "front"),
      path("Prefix", "/api/", "api", "http"),
      path("Exact", "/api", "api-exact"),
      path("ImplementationSpecific", "/static", "static"),
      path("Exact", "/login", "login"),
    ),
    rule("*.example.com", path("Prefix", "/", "wildcard")),
  ],
});
const catchAll = ingress("misc", "catch", "2024-02-01T00:00:00Z", {
  defaultBackend: { service: { name: "fallback", port: { number: 8080 } } },
  rules: [rule(undefined, path("Prefix", "/health", "health"))],
});
const all = [catchAll, shop];

const serviceFor = (host: string, target: string) => routeIngress(all, host, target)?.service;

describe("Ingress routing", () => {
  it("matches Prefix paths element-wise", () => {
    expect(serviceFor("shop.example.com", "/api/v1/items")).toBe("api");
    expect(serviceFor("shop.example.com", "/api/")).toBe("api");
    expect(serviceFor("shop.example.com", "/apiary")).toBe("front");
    expect(serviceFor("shop.example.com", "/static")).toBe("static");
    expect(serviceFor("shop.example.com", "/static/app.js")).toBe("static");
    expect(serviceFor("shop.example.com", "/staticfile")).toBe("front");
  });

  it("prefers Exact over Prefix at equal length, and matches Exact only exactly", () => {
    expect(serviceFor("shop.example.com", "/api")).toBe("api-exact");
    expect(serviceFor("shop.example.com", "/login")).toBe("login");
    expect(serviceFor("shop.example.com", "/login/")).toBe("front");
  });

  it("ignores the query string, the port and case in Host", () => {
    expect(serviceFor("SHOP.example.com:8080", "/login?next=/")).toBe("login");
  });

  it("matches one label with a wildcard host, and falls back to host-less rules and then the default backend", () => {
    expect(serviceFor("blog.example.com", "/")).toBe("wildcard");
    expect(serviceFor("a.blog.example.com", "/health")).toBe("health");
    expect(serviceFor("example.com", "/anything")).toBe("fallback");
    expect(routeIngress(all, "other.test", "/x")).toEqual({ namespace: "misc", ingress: "catch", service: "fallback", port: 8080 });
  });

  it("returns nothing without a matching rule or default backend", () => {
    expect(routeIngress([shop], "other.test", "/")).toBeUndefined();
    expect(routeIngress([], "shop.example.com", "/")).toBeUndefined();
  });

  it("carries the Ingress namespace and the port by name or number", () => {
    expect(routeIngress(all, "shop.example.com", "/api/x")).toEqual({ namespace: "shop", ingress: "shop", service: "api", port: "http" });
    expect(routeIngress(all, "shop.example.com", "/")?.port).toBe(80);
  });

  it("lets the oldest Ingress win a conflict, whatever the list order", () => {
    const older = ingress("a", "older", "2023-01-01T00:00:00Z", { rules: [rule("x.test", path("Prefix", "/", "old"))] });
    const newer = ingress("b", "newer", "2025-01-01T00:00:00Z", { rules: [rule("x.test", path("Prefix", "/", "new"))] });
    expect(routeIngress([newer, older], "x.test", "/")?.service).toBe("old");
    expect(routeIngress([older, newer], "x.test", "/")?.service).toBe("old");
    const newerDefault = ingress("b", "d2", "2025-01-01T00:00:00Z", { defaultBackend: { service: { name: "late", port: { number: 1 } } } });
    const olderDefault = ingress("a", "d1", "2023-01-01T00:00:00Z", { defaultBackend: { service: { name: "early", port: { number: 1 } } } });
    expect(routeIngress([newerDefault, olderDefault], "y.test", "/")?.service).toBe("early");
  });

  it("treats a missing path as / and a trailing slash on a Prefix as nothing", () => {
    const loose = ingress("a", "l", "2024-01-01T00:00:00Z", {
      rules: [rule("z.test", path("ImplementationSpecific", undefined, "root"), path("Prefix", "/docs/", "docs"))],
    });
    expect(routeIngress([loose], "z.test", "/docs")?.service).toBe("docs");
    expect(routeIngress([loose], "z.test", "/anything")?.service).toBe("root");
  });

  it("normalizes Host headers", () => {
    expect(normalizeHost("Example.COM.:443")).toBe("example.com");
    expect(normalizeHost("[::1]:8080")).toBe("[::1]");
  });
});
