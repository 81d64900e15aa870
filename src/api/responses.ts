/** Response helpers: JSON bodies and the one mapping from KubeError to a Status response. */
import { KubeError, statusOf } from "../errors.js";

export const JSON_TYPE = "application/json";

export function json(body: unknown, code = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status: code, headers: { "content-type": JSON_TYPE, ...headers } });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof KubeError) {
    const headers: Record<string, string> = {};
    if (e.details?.retryAfterSeconds) headers["retry-after"] = String(e.details.retryAfterSeconds);
    return json(e.toStatus(), e.code, headers);
  }
  console.error("internal error:", e instanceof Error ? e.stack : e);
  const message = e instanceof Error ? e.message : String(e);
  return json(statusOf(500, "InternalError", `Internal error occurred: ${message}`), 500);
}

export function success(code = 200, details?: Record<string, unknown>): Response {
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code, ...(details ? { details } : {}) }, code);
}

/**
 * Streams (watch, logs) must not be compressed: the runtime would buffer a
 * gzip body and the client would see no event until the stream ends.
 */
export const STREAM_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-cache, no-transform",
  "content-encoding": "identity",
};
