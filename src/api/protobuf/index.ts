/**
 * Decodes Kubernetes protobuf request bodies into the JSON objects the rest
 * of the API server works with. kubectl 1.32 sends
 * `application/vnd.kubernetes.protobuf` for `create <generator>`, `auth
 * can-i` and drain's DeleteOptions, and never retries with JSON, so the
 * server must read them. Every failure is a KubeError: 415 for a kind we
 * cannot decode, 400 for bytes that are not a valid message.
 */
import { KubeError, badRequest } from "../../errors.js";
import { decodeMessage } from "./decode.js";
import { hasMagic, readEnvelope, type Envelope } from "./envelope.js";
import { messageFor } from "./kinds.js";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isKubernetesProtobuf(contentType: string): boolean {
  return contentType.split(";")[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * The object in a protobuf request body, shaped as kubectl would have sent
 * it in JSON: `kind` and `apiVersion` from the envelope, zero values that
 * Go's JSON omits left out, Secret data base64-encoded, times in RFC 3339.
 *
 * @example decodeProtobufObject(body) // { kind: "Namespace", apiVersion: "v1", metadata: { name: "team-a", creationTimestamp: null }, spec: {}, status: {} }
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (!hasMagic(body)) {
    throw badRequest(`the request body is not ${PROTOBUF_MEDIA_TYPE}: it does not start with the "k8s\\x00" prefix`);
  }
  const env = attempt(() => readEnvelope(body), (why) => `malformed protobuf envelope: ${why}`);
  const ref = messageRef(env);
  const object = attempt(
    () => decodeMessage(env.raw, ref, ""),
    (why) => `cannot decode ${env.kind} (${env.apiVersion}) from protobuf: ${why}`,
  );
  return { kind: env.kind, apiVersion: env.apiVersion, ...object };
}

function messageRef(env: Envelope): string {
  if (!env.kind || !env.apiVersion) {
    throw badRequest("the protobuf body's typeMeta must name both apiVersion and kind");
  }
  if (env.contentEncoding) {
    throw unsupported(env, `contentEncoding "${env.contentEncoding}" is not supported`);
  }
  const ref = messageFor(env.apiVersion, env.kind);
  if (!ref) throw unsupported(env, `${env.kind} (${env.apiVersion}) cannot be decoded from protobuf`);
  return ref;
}

function unsupported(env: Envelope, why: string): KubeError {
  const slash = env.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : env.apiVersion.slice(0, slash);
  return new KubeError(415, "UnsupportedMediaType", `${why}; send it as application/json`, {
    kind: env.kind,
    group,
  });
}

/** Runs a decoding step, turning any failure into a 400 that says what was wrong. */
function attempt<T>(step: () => T, describe: (why: string) => string): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof KubeError) throw err;
    throw badRequest(describe(err instanceof Error ? err.message : String(err)));
  }
}
