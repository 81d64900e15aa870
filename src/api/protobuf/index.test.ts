/** Content-type detection and the errors a bad body turns into. */
import { describe, expect, it } from "vitest";
import { KubeError } from "../../errors.js";
import { decodeProtobufObject, isKubernetesProtobuf } from "./index.js";
import { bytes, concat, envelope, hex, int, msg, str } from "./testdata/encoder.js";
import { KUBECTL_BODIES } from "./testdata/kubectl-bodies.js";

/** Runs the decoder and returns the KubeError it threw. */
function failure(body: Uint8Array): KubeError {
  try {
    decodeProtobufObject(body);
  } catch (err) {
    if (err instanceof KubeError) return err;
    throw new Error(`expected a KubeError, got ${String(err)}`);
  }
  throw new Error("expected decoding to fail");
}

describe("isKubernetesProtobuf", () => {
  it("matches the protobuf media type with or without parameters", () => {
    expect(isKubernetesProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
    expect(isKubernetesProtobuf("Application/VND.Kubernetes.Protobuf; charset=binary")).toBe(true);
    expect(isKubernetesProtobuf("application/json")).toBe(false);
    expect(isKubernetesProtobuf("application/vnd.kubernetes.protobuf-extra")).toBe(false);
    expect(isKubernetesProtobuf("")).toBe(false);
  });
});

describe("decodeProtobufObject errors", () => {
  it("rejects a body without the k8s\\0 prefix with 400", () => {
    const err = failure(new TextEncoder().encode('{"kind":"Pod"}'));
    expect(err.code).toBe(400);
    expect(err.reason).toBe("BadRequest");
    expect(err.message).toContain("k8s\\x00");
  });

  it("answers 415 naming a kind it cannot decode", () => {
    const err = failure(envelope("policy/v1", "PodDisruptionBudget", msg(1, str(1, "pdb"))));
    expect(err.code).toBe(415);
    expect(err.reason).toBe("UnsupportedMediaType");
    expect(err.message).toContain("PodDisruptionBudget (policy/v1)");
    expect(err.details).toEqual({ kind: "PodDisruptionBudget", group: "policy" });
  });

  it("answers 415 for a known kind under an unknown version or a compressed raw", () => {
    expect(failure(envelope("apps/v1beta1", "Deployment")).code).toBe(415);
    const gzipped = concat(
      hex("6b387300"),
      msg(1, str(1, "v1"), str(2, "Namespace")),
      bytes(2, new Uint8Array([1, 2, 3])),
      str(3, "gzip"),
    );
    const err = failure(gzipped);
    expect(err.code).toBe(415);
    expect(err.message).toContain('contentEncoding "gzip"');
  });

  it("answers 400 when typeMeta lacks a kind", () => {
    expect(failure(envelope("v1", "")).code).toBe(400);
  });

  it("names the kind and the field path when the object bytes are wrong", () => {
    // spec.replicas sent length-delimited instead of as a varint.
    const err = failure(envelope("apps/v1", "Deployment", msg(2, str(1, "two"))));
    expect(err.code).toBe(400);
    expect(err.message).toBe("cannot decode Deployment (apps/v1) from protobuf: spec.replicas: wire type 2, expected 0");
  });

  it("answers 400 for invalid raw JSON inside FieldsV1", () => {
    const mf = msg(17, str(6, "FieldsV1"), msg(7, str(1, "{not json")));
    expect(failure(envelope("v1", "ConfigMap", msg(1, mf))).message).toContain("not valid JSON");
  });

  it("never throws anything but a KubeError on truncated kubectl bodies", () => {
    for (const [name, body] of Object.entries(KUBECTL_BODIES)) {
      const full = hex(body);
      for (let cut = 0; cut < full.length; cut++) {
        let outcome: unknown;
        try {
          outcome = decodeProtobufObject(full.subarray(0, cut));
        } catch (err) {
          outcome = err;
        }
        // A cut on a field boundary of the envelope can still be a valid (smaller) message.
        if (!(outcome instanceof KubeError)) expect(outcome, `${name} cut at ${cut}`).toHaveProperty("kind");
        else expect([400, 415], `${name} cut at ${cut}`).toContain(outcome.code);
      }
    }
  });

  it("never throws anything but a KubeError on garbage after the prefix", () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
    for (let round = 0; round < 500; round++) {
      const junk = Uint8Array.from({ length: 1 + (round % 64) }, next);
      const bodies = [concat(hex("6b387300"), junk), envelope("v1", "Pod", junk), envelope("apps/v1", "Deployment", int(2, 1), junk)];
      for (const body of bodies) {
        try {
          decodeProtobufObject(body);
        } catch (err) {
          expect(err).toBeInstanceOf(KubeError);
          expect([400, 415]).toContain((err as KubeError).code);
        }
      }
    }
  });
});
