import { describe, expect, it } from "vitest";
import { kubeErrorCode } from "../testing/kube-error-code.js";
import { parseResourcePath } from "./request-path.js";

const code = kubeErrorCode;

describe("parseResourcePath", () => {
  it("answers a broken escape with 400 and an escaped slash or dot segment with 404", () => {
    expect(code(() => parseResourcePath("", "v1", ["namespaces", "%E0%A4%A", "pods"]))).toBe(400);
    expect(code(() => parseResourcePath("", "v1", ["namespaces", "d", "pods", "a%2Fb"]))).toBe(404);
    expect(code(() => parseResourcePath("", "v1", ["namespaces", "d", "pods", "%2E%2E"]))).toBe(404);
  });

  it("decodes an escaped name once", () => {
    expect(parseResourcePath("", "v1", ["namespaces", "d", "pods", "a%2525b"]).name).toBe("a%25b");
  });
});
