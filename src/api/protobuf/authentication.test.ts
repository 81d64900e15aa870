/** The SelfSubjectReview body kubectl 1.32's `auth whoami` sends decodes as protobuf. */
import { describe, expect, it } from "vitest";
import { decodeProtobufObject } from "./index.js";
import { hex } from "./testdata/encoder.js";

// Captured from `kubectl auth whoami` (v1.32.4): an empty review, metadata with zero values.
const WHOAMI =
  "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200";

describe("SelfSubjectReview from protobuf", () => {
  it("decodes kubectl auth whoami's body to an empty review", () => {
    expect(decodeProtobufObject(hex(WHOAMI))).toEqual({
      kind: "SelfSubjectReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
  });
});
