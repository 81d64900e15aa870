import { describe, expect, it } from "vitest";
import type { Ingress, IngressClass } from "../../../src/schema/networking.js";
import { INGRESS_CONTROLLER, servedIngresses } from "./ingress-class.js";

const ingress = (name: string, className?: string, legacy?: string): Ingress => ({
  metadata: { name, namespace: "default", ...(legacy ? { annotations: { "kubernetes.io/ingress.class": legacy } } : {}) },
  spec: className ? { ingressClassName: className } : {},
});
const ingressClass = (name: string, controller: string, isDefault = false): IngressClass => ({
  metadata: { name, ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}) },
  spec: { controller },
});
const names = (list: Ingress[]) => list.map((i) => i.metadata.name);

describe("servedIngresses", () => {
  it("serves Ingresses whose class names our controller, by field or legacy annotation", () => {
    const classes = [ingressClass("ours", INGRESS_CONTROLLER), ingressClass("nginx", "k8s.io/ingress-nginx")];
    expect(names(servedIngresses([ingress("a", "ours"), ingress("b", "nginx"), ingress("c", undefined, "ours")], classes))).toEqual(["a", "c"]);
  });

  it("serves unclassed Ingresses when there is no default class, or the default is ours", () => {
    expect(names(servedIngresses([ingress("a")], []))).toEqual(["a"]);
    expect(names(servedIngresses([ingress("a")], [ingressClass("ours", INGRESS_CONTROLLER, true)]))).toEqual(["a"]);
    expect(names(servedIngresses([ingress("a")], [ingressClass("nginx", "k8s.io/ingress-nginx", true)]))).toEqual([]);
  });

  it("serves the class name kubeflare even before an IngressClass of that name exists, but no other unknown class", () => {
    expect(names(servedIngresses([ingress("a", "kubeflare"), ingress("b", "traefik")], []))).toEqual(["a"]);
  });
});
