// Measuring helpers for the benchmarks: timed HTTPS requests over a shared
// keep-alive agent, a fixed-size pool of concurrent clients, percentiles, and
// an NDJSON watch reader. Timings use the monotonic clock (performance.now).
import { Agent, request } from "node:https";
import { performance } from "node:perf_hooks";

/** One keep-alive agent per benchmark so connection setup is paid once, in the warm-up. */
export function keepAliveAgent({ ca, maxSockets }) {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca });
}

/**
 * Sends one request and resolves when the whole body has arrived. `ms` is
 * time to last byte, which is what a client waiting for the answer sees.
 * A keep-alive connection the server closed while idle is retried once on a
 * fresh one, as Node's documentation advises: that is the client's artifact.
 */
export async function timedRequest(opts) {
  try {
    return await sendOnce(opts);
  } catch (e) {
    if (e?.reusedSocket && e.code === "ECONNRESET") return sendOnce(opts);
    throw e;
  }
}

function sendOnce({ url, agent, token, method = "GET", path, headers = {}, body }) {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(
      new URL(path, url),
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (d) => chunks.push(d));
        res.on("end", () => {
          const end = performance.now();
          resolve({ status: res.statusCode, body: Buffer.concat(chunks), start, end, ms: end - start });
        });
        res.on("error", reject);
      },
    );
    req.on("error", (e) => {
      e.reusedSocket = req.reusedSocket;
      reject(e);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.end(payload);
  });
}

/**
 * Runs `count` jobs with `concurrency` workers pulling indexes from one shared
 * counter, as independent clients would. Non-2xx answers are counted, not
 * thrown, so one bad answer does not hide the rest of the run.
 */
export async function runPool({ count, concurrency, job }) {
  const latencies = new Array(count);
  const errors = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      let r;
      try {
        r = await job(i);
      } catch (e) {
        errors.push({ i, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
      latencies[i] = r.ms;
      if (r.status < 200 || r.status > 299) errors.push({ i, status: r.status, body: r.body.toString("utf8").slice(0, 300) });
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - start;
  const done = latencies.filter((x) => x !== undefined);
  return { count, wallMs, throughput: (count / wallMs) * 1000, latencies: done, errors, ...summarize(done) };
}

/** Nearest-rank percentile: the value at or below which p% of samples fall. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

/**
 * Opens a watch and calls `onEvent(event, arrivedAt)` for every NDJSON line,
 * and `onEnd()` if the server ends the stream before `close()` is called.
 * Resolves once the response headers are in, with `close()` to end the stream.
 * The watch has its own connection: it must not hold a slot of the pool.
 */
export function openWatch({ url, ca, token, path, onEvent, onError, onEnd }) {
  let closing = false;
  const failed = (e) => {
    if (!closing) onError?.(e);
  };
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: "GET", agent: false, ca, headers: { authorization: `Bearer ${token}`, accept: "application/json" } },
      (res) => {
        if (res.statusCode !== 200) {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => reject(new Error(`watch answered ${res.statusCode}: ${body.slice(0, 300)}`)));
          return;
        }
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          const arrivedAt = performance.now();
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            try {
              onEvent(JSON.parse(line), arrivedAt);
            } catch (e) {
              failed(e);
            }
          }
        });
        res.on("error", failed);
        res.on("end", () => {
          if (!closing) onEnd?.();
        });
        resolve({
          close: () => {
            closing = true;
            req.destroy();
          },
        });
      },
    );
    req.on("error", (e) => {
      failed(e);
      reject(e);
    });
    req.end();
  });
}
