import { describe, expect, it } from "vitest";
import { computePodTemplateHash, equalIgnoreHash, fnv32a, safeEncodeString } from "./pod-template-hash.js";
import type { PodTemplateSpec } from "../schema/core.js";

const original: PodTemplateSpec = {
  metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" } },
  spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] }], restartPolicy: "Always" },
};

describe("pod-template-hash", () => {
  it("uses FNV-32a", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(fnv32a(enc(""))).toBe(0x811c9dc5);
    expect(fnv32a(enc("a"))).toBe(0xe40c292c);
    expect(fnv32a(enc("foobar"))).toBe(0xbf9cf968);
  });

  it("renders the decimal sum in upstream's safe alphabet", () => {
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
    expect(computePodTemplateHash(original)).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it("maps kubectl rollout undo's template back to the original hash", () => {
    // The shape kubectl sends: the ReplicaSet's template, hash label removed, Go zero values added.
    const undoBody = {
      metadata: { creationTimestamp: null, labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }], resources: {} }], restartPolicy: "Always" },
    } as unknown as PodTemplateSpec;
    expect(computePodTemplateHash(undoBody)).toBe(computePodTemplateHash(original));
    expect(equalIgnoreHash(undoBody, original)).toBe(true);
  });

  it("ignores the pod-template-hash label and key order", () => {
    const rsTemplate: PodTemplateSpec = {
      spec: { restartPolicy: "Always", containers: [{ image: "nginx:1.27", name: "web", ports: [{ protocol: "TCP", containerPort: 80 }] }] },
      metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" }, labels: { "pod-template-hash": "abc", app: "web" } },
    };
    expect(equalIgnoreHash(rsTemplate, original)).toBe(true);
    expect(computePodTemplateHash(rsTemplate)).toBe(computePodTemplateHash(original));
  });

  it("changes with the template, with a restart annotation and with collisionCount", () => {
    const base = computePodTemplateHash(original);
    const image = structuredClone(original);
    image.spec.containers[0].image = "nginx:1.28";
    const restarted = structuredClone(original);
    restarted.metadata!.annotations = { "kubectl.kubernetes.io/restartedAt": "2026-02-01T00:00:00Z" };
    expect(computePodTemplateHash(image)).not.toBe(base);
    expect(computePodTemplateHash(restarted)).not.toBe(base);
    expect(computePodTemplateHash(original, 0)).not.toBe(base);
    expect(computePodTemplateHash(original, 1)).not.toBe(computePodTemplateHash(original, 0));
  });

  it("keeps false and zero values, which differ from absent ones", () => {
    const off = structuredClone(original);
    off.spec.automountServiceAccountToken = false;
    expect(computePodTemplateHash(off)).not.toBe(computePodTemplateHash(original));
  });
});
