import { describe, expect, it } from "vitest";
import { kubeErrorCode } from "../testing/kube-error-code.js";
import { readOptions } from "./query.js";

const options = (method: string, query: string) => readOptions(new Request(`https://x/api/v1/namespaces/d/configmaps${query}`, { method }));

const code = kubeErrorCode;

describe("readOptions", () => {
  it("refuses a field manager that is too long or not printable, on writes", () => {
    expect(code(() => options("POST", `?fieldManager=${"m".repeat(129)}`))).toBe(422);
    expect(code(() => options("PATCH", "?fieldManager=bad%01name"))).toBe(422);
    expect(code(() => options("PUT", `?fieldManager=${"m".repeat(128)}`))).toBeUndefined();
    expect(code(() => options("PATCH", "?fieldManager=kubectl%20client-side%20apply"))).toBeUndefined();
  });

  it("parses a read's resourceVersion and continue token up front", () => {
    expect(code(() => options("GET", "?resourceVersion=abc"))).toBe(400);
    expect(code(() => options("GET", "?continue=garbage"))).toBe(400);
    expect(code(() => options("GET", "?resourceVersion=0&continue="))).toBeUndefined();
    expect(code(() => options("POST", "?resourceVersion=abc"))).toBeUndefined();
  });

  it("refuses negative or unrepresentable integers", () => {
    expect(code(() => options("GET", "?timeoutSeconds=-1"))).toBe(400);
    expect(code(() => options("GET", "?limit=99999999999999999999"))).toBe(400);
    expect(options("GET", "?limit=5&timeoutSeconds=30").list).toMatchObject({ limit: 5, timeoutSeconds: 30 });
  });
});
