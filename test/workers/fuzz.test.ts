/**
 * Fuzzing the API with hostile input: a few thousand generated requests
 * (fuzz/cases.ts) against every kind, verb, subresource and the agents'
 * endpoints. Every answer must be a 2xx or a 4xx `Status` whose code is the
 * HTTP status, never a 5xx and never a hang; requests Kubernetes would refuse
 * must be refused. Afterwards the baseline objects, which the fuzzer only
 * ever writes with dryRun=All, must be byte-identical.
 *
 * The cases come from one seed: a failure names its case, and the same seed
 * regenerates it.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { resourceTypes } from "../../src/schema/registry.js";
import { generateCases, resourcePath, typeOf, type FuzzCase, type Targets } from "./fuzz/cases.js";
import { TOKEN, call, createNode, heartbeat, settle } from "./helpers.js";

const SEED = 0x6b38_7300;
/** Longer than any answer needs; anything slower counts as a hang. */
const HANG_MS = 10_000;
const CONCURRENCY = 4;

const targets: Targets = {
  baseNamespace: "fz-base",
  scratchNamespace: "fz-scratch",
  baseNode: "fz-base-node",
  baseNames: {
    namespaces: ["fz-base"],
    nodes: ["fz-base-node"],
    pods: ["base-pod-1", "base-pod-2", "base-pod-3"],
    deployments: ["base-deploy"],
    configmaps: ["base-cm-1", "base-cm-2"],
    secrets: ["base-secret-1", "base-secret-2"],
    services: ["base-svc"],
  },
};

async function created(method: string, path: string, body: unknown) {
  const r = await call(method, path, body);
  if (r.status !== 201) throw new Error(`baseline ${path}: ${r.status} ${r.text}`);
}

/** A realistic namespace: bound pods, a Deployment (with its ReplicaSet and pod), ConfigMaps, Secrets, a Service, and a Ready node. */
async function createBaseline(): Promise<void> {
  const ns = targets.baseNamespace;
  await created("POST", "/api/v1/namespaces", { metadata: { name: ns } });
  await created("POST", "/api/v1/namespaces", { metadata: { name: targets.scratchNamespace } });
  await createNode(targets.baseNode);
  // A Lease renewed an hour ahead keeps the node Ready for the whole run: real-time heartbeats would race the
  // CPU-heavy cases (100k-element arrays take a second each) against the 5 s grace this test config sets.
  await heartbeat(targets.baseNode, new Date(Date.now() + 3_600_000));
  const labels = { app: "base" };
  const spec = { containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "3600"], ports: [{ containerPort: 8080 }] }] };
  for (const name of targets.baseNames.pods)
    await created("POST", `/api/v1/namespaces/${ns}/pods`, { metadata: { name, labels }, spec: { ...spec, nodeName: targets.baseNode } });
  await created("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, {
    metadata: { name: "base-deploy" },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec } },
  });
  for (const name of targets.baseNames.configmaps) await created("POST", `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name }, data: { k: name } });
  for (const name of targets.baseNames.secrets) await created("POST", `/api/v1/namespaces/${ns}/secrets`, { metadata: { name }, stringData: { password: name } });
  await created("POST", `/api/v1/namespaces/${ns}/services`, { metadata: { name: "base-svc" }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } });
  await settle([ns, targets.scratchNamespace]);
}

/** Every object in the baseline namespace, plus the baseline Namespace and Node, as stored JSON. */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rt of resourceTypes.filter((t) => t.namespaced)) {
    const list = await call("GET", resourcePath(rt, targets.baseNamespace));
    expect(list.status).toBe(200);
    for (const o of list.body.items) out.set(`${rt.resource}/${o.metadata.name}`, JSON.stringify(o));
  }
  for (const [resource, name] of [["namespaces", targets.baseNamespace], ["nodes", targets.baseNode]]) {
    const r = await call("GET", resourcePath(typeOf(resource), undefined, name));
    if (r.status === 200) out.set(`${resource}/${name}`, JSON.stringify(r.body));
  }
  return out;
}

interface Outcome {
  c: FuzzCase;
  status?: number;
  text?: string;
  hang?: boolean;
  error?: string;
}

/**
 * The Worker's fetch handler, called in-process. SELF.fetch would do too,
 * but in @cloudflare/vitest-pool-workers 0.15 each call costs more than the
 * last (1,000 calls take minutes), which thousands of cases cannot afford.
 */
async function fetchWorker(url: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, init), env as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function send(c: FuzzCase): Promise<Outcome> {
  const headers: Record<string, string> = c.anonymous ? c.headers : { ...c.headers, authorization: `Bearer ${TOKEN}` };
  const attempt = (async (): Promise<Outcome> => {
    const res = await fetchWorker(`https://kubeflare.test${c.path}`, { method: c.method, headers, body: c.body?.() });
    // A watch or log that opened is a stream: its status is the answer, its body would run until the timeout.
    if (c.stream && res.status < 300) {
      await res.body?.cancel();
      return { c, status: res.status, text: "" };
    }
    return { c, status: res.status, text: await res.text() };
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ c, hang: true }), HANG_MS)));
  try {
    // A request that never answers is reported, not awaited (a synchronous loop would stall the whole isolate
    // instead, and the test's own timeout reports that).
    const outcome: Outcome = await Promise.race([attempt, hang]);
    if (outcome.hang) attempt.catch(() => undefined);
    return outcome;
  } catch (e) {
    return { c, error: String(e) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** What is wrong with an outcome, or undefined when it is an acceptable answer. */
function problem(o: Outcome): string | undefined {
  if (o.hang) return `no answer within ${HANG_MS / 1000}s`;
  if (o.error) return `request failed: ${o.error}`;
  const status = o.status!;
  if (status >= 500) return `${status}: ${o.text?.slice(0, 300)}`;
  if (status >= 200 && status < 300) return o.c.expect === "reject" ? `accepted (${status}) what must be refused: ${o.text?.slice(0, 200)}` : undefined;
  if (status < 400) return `unexpected status ${status}`;
  let body: { kind?: string; code?: number } | undefined;
  try {
    body = JSON.parse(o.text ?? "");
  } catch {
    return `${status} without a JSON body: ${o.text?.slice(0, 120)}`;
  }
  if (body?.kind !== "Status" || body.code !== status) return `${status} with a body that is not its Status: ${o.text?.slice(0, 200)}`;
  return undefined;
}

async function runAll(cases: FuzzCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) outcomes[i] = await send(cases[i]);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

function report(outcomes: Outcome[]): string {
  const rows = new Map<string, { cases: number; ok: number; client: number; bad: number }>();
  const codes = new Map<number, number>();
  for (const o of outcomes) {
    const row = rows.get(o.c.category) ?? { cases: 0, ok: 0, client: 0, bad: 0 };
    row.cases++;
    if (problem(o)) row.bad++;
    else if (o.status! < 300) row.ok++;
    else row.client++;
    rows.set(o.c.category, row);
    if (o.status) codes.set(o.status, (codes.get(o.status) ?? 0) + 1);
  }
  const lines = [`fuzz seed ${SEED}: ${outcomes.length} cases`, "category              cases    2xx    4xx  wrong"];
  for (const [name, r] of [...rows].sort())
    lines.push(`${name.padEnd(20)} ${String(r.cases).padStart(6)} ${String(r.ok).padStart(6)} ${String(r.client).padStart(6)} ${String(r.bad).padStart(6)}`);
  lines.push(`status codes: ${[...codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(" ")}`);
  return lines.join("\n");
}

const describeCase = (o: Outcome) =>
  `[${o.c.category}] ${o.c.method} ${o.c.path.length > 160 ? o.c.path.slice(0, 160) + "…" : o.c.path} (${o.c.label}): ${problem(o)}`;

/** Where two JSON values differ, as paths (a few levels deep is enough to say who changed what). */
function differences(a: unknown, b: unknown, path = "", depth = 0): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (depth >= 3 || !a || !b || typeof a !== "object" || typeof b !== "object") return [path || "(root)"];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1));
}

describe("hostile input", () => {
  it(
    "answers thousands of malformed requests with a 2xx or a 4xx Status, never a 5xx or a hang, and changes nothing it must not",
    async () => {
      const cases = generateCases(SEED, targets);
      expect(cases.length).toBeGreaterThan(3000);
      for (const rt of resourceTypes) expect(cases.some((c) => c.path.includes(`/${rt.resource}`)), rt.resource).toBe(true);

      await createBaseline();
      const before = await snapshot();
      const outcomes = await runAll(cases);
      console.log(report(outcomes));
      await settle([targets.baseNamespace]);
      const after = await snapshot();

      // Stores run in this isolate: a patch that reached Object.prototype would show here.
      expect(Object.prototype).not.toHaveProperty("fuzzPolluted");
      const wrong = outcomes.filter(problem);
      expect(wrong.map(describeCase).slice(0, 40), `${wrong.length} of ${outcomes.length} answers were wrong`).toEqual([]);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
      const parse = (s: string | undefined) => (s === undefined ? undefined : JSON.parse(s));
      expect(changed.map((k) => `${k}: ${differences(parse(before.get(k)), parse(after.get(k))).join(", ")}`), "baseline objects changed").toEqual([]);
    },
    120_000,
  );
});
