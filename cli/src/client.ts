/**
 * Requests to the control plane with the kubeconfig's credentials. A non-2xx
 * answer becomes a CliError carrying the server's Status message, so every
 * failure prints as the one line the API already wrote for it.
 */
import { request } from "node:https";
import { request as requestHttp } from "node:http";
import { CliError } from "./errors.js";
import type { ClusterAccess } from "./kubeconfig.js";

export interface ApiClient {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body: unknown): Promise<T>;
  delete<T = any>(path: string): Promise<T>;
}

export function apiClient(access: ClusterAccess, timeoutMs = 30_000): ApiClient {
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<any>((resolve, reject) => {
      const url = new URL(path, access.server + "/");
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const send = url.protocol === "http:" ? requestHttp : request;
      const req = send(
        url,
        {
          method,
          ca: access.ca,
          timeout: timeoutMs,
          headers: {
            authorization: `Bearer ${access.token}`,
            accept: "application/json",
            "user-agent": "kubeflare-cli",
            ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) return resolve(parsed);
            const message = parsed?.kind === "Status" && parsed.message ? parsed.message : text.trim().split("\n")[0] || `HTTP ${code}`;
            reject(new CliError(`${method} ${url.pathname}: ${message} (${code})`));
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      req.on("error", (e: NodeJS.ErrnoException) =>
        reject(new CliError(`cannot reach ${access.server}: ${e.code === "ECONNREFUSED" ? "connection refused (is the control plane running?)" : e.message}`)),
      );
      req.end(payload);
    });
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    delete: (path) => call("DELETE", path),
  };
}
