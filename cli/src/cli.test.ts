import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseDuration, parseFlags } from "./args.js";
import type { ApiClient } from "./client.js";
import { CliError } from "./errors.js";
import { age, table } from "./format.js";
import { loadClusterAccess, renderKubeconfig } from "./kubeconfig.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "kubeflare-cli-"));
const kubeconfig = join(dir, "config");
writeFileSync(
  kubeconfig,
  renderKubeconfig({ clusterName: "home", server: "https://127.0.0.1:8787", ca: Buffer.from("PEM"), user: "admin", token: "admin-token" }),
);
const NOW = Date.parse("2026-11-26T12:00:00Z");

/** Runs the CLI against a recorded fake API, returning what it printed and asked. */
async function cli(argv: string[], answers: Record<string, unknown> = {}) {
  let out = "";
  let err = "";
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const answer = (method: string, path: string, body?: unknown): Promise<any> => {
    calls.push({ method, path, body });
    const a = answers[`${method} ${path}`];
    if (a instanceof Error) return Promise.reject(a);
    if (a === undefined) return Promise.reject(new CliError(`${method} ${path}: not found (404)`));
    return Promise.resolve(a);
  };
  const client = (): ApiClient => ({
    get: (p) => answer("GET", p),
    post: (p, b) => answer("POST", p, b),
    delete: (p) => answer("DELETE", p),
  });
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), env: { KUBECONFIG: kubeconfig }, now: () => NOW, client });
  return { code, out, err, calls };
}

describe("flags", () => {
  it("reads values, repeated flags, = forms and short names", () => {
    const spec = { user: { help: "" }, group: { repeated: true, help: "" }, output: { short: "o", help: "" }, all: { boolean: true, help: "" } };
    expect(parseFlags(["--user", "alice", "--group=a", "--group", "b", "-o", "f", "--all", "x"], spec)).toEqual({
      positionals: ["x"],
      flags: { user: "alice", group: ["a", "b"], output: "f", all: true },
    });
  });

  it("refuses unknown flags, missing values and doubled single flags", () => {
    const spec = { user: { help: "" } };
    expect(() => parseFlags(["--usr", "a"], spec)).toThrow("unknown flag --usr");
    expect(() => parseFlags(["--user"], spec)).toThrow("--user needs a value");
    expect(() => parseFlags(["--user", "a", "--user", "b"], spec)).toThrow("--user given twice");
  });

  it("parses durations", () => {
    expect(parseDuration("90s", "ttl")).toBe(90);
    expect(parseDuration("24h", "ttl")).toBe(86400);
    expect(parseDuration("7d", "ttl")).toBe(604800);
    expect(() => parseDuration("1w", "ttl")).toThrow("--ttl must be a duration");
  });
});

describe("output", () => {
  it("aligns columns as kubectl does", () => {
    expect(table(["NAME", "STATUS"], [["a", "Ready"], ["longer", "NotReady"]])).toBe("NAME     STATUS\na        Ready\nlonger   NotReady\n");
  });

  it("prints ages in upstream's short form", () => {
    const at = (s: number) => new Date(NOW - s * 1000).toISOString();
    expect(age(at(45), NOW)).toBe("45s");
    expect(age(at(5 * 60 + 3), NOW)).toBe("5m3s");
    expect(age(at(3 * 3600), NOW)).toBe("3h");
    expect(age(at(3 * 86400 + 7200), NOW)).toBe("3d2h");
    expect(age(undefined, NOW)).toBe("<none>");
  });
});

describe("kubeconfig", () => {
  it("round-trips server, CA and token through the file it writes", () => {
    expect(loadClusterAccess(kubeconfig)).toMatchObject({ server: "https://127.0.0.1:8787", token: "admin-token", ca: Buffer.from("PEM") });
  });

  it("names what is missing", () => {
    const broken = join(dir, "broken");
    writeFileSync(broken, "apiVersion: v1\nkind: Config\ncurrent-context: x\n");
    expect(() => loadClusterAccess(broken)).toThrow(`context "x" not found in ${broken}`);
    expect(() => loadClusterAccess(join(dir, "absent"))).toThrow("no kubeconfig at");
  });
});

describe("commands", () => {
  it("creates a user token and prints only the token on stdout", async () => {
    const r = await cli(["token", "create", "--user", "alice", "--group", "team-a", "--ttl", "24h"], {
      "POST /kubeflare/v1/tokens": { id: "abc123", token: "abc123.0123456789abcdef", user: "alice", groups: ["team-a"] },
    });
    expect(r.code).toBe(0);
    expect(r.out).toBe("abc123.0123456789abcdef\n");
    expect(r.calls[0].body).toEqual({ user: "alice", groups: ["team-a"], expirationSeconds: 86400 });
    expect(r.err).toContain("shown once");
  });

  it("writes a user's kubeconfig (0600) with the cluster's CA and server, showing its two steps", async () => {
    const file = join(dir, "alice.kubeconfig");
    const r = await cli(["kubeconfig", "--user", "alice", "--namespace", "team-a", "-o", file], {
      "POST /kubeflare/v1/tokens": { id: "abc123", token: "abc123.0123456789abcdef", user: "alice", groups: [] },
    });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\[1\/2\] creating a token[\s\S]*\[2\/2\] writing/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doc = parse(readFileSync(file, "utf8"));
    expect(doc.users[0].user.token).toBe("abc123.0123456789abcdef");
    expect(doc.contexts[0].context.namespace).toBe("team-a");
    expect(loadClusterAccess(file)).toMatchObject({ server: "https://127.0.0.1:8787", ca: Buffer.from("PEM") });
  });

  it("lists nodes with readiness, agent version, last heartbeat and pod count", async () => {
    const r = await cli(["nodes"], {
      "GET /api/v1/nodes": {
        items: [
          {
            metadata: { name: "pi-1", creationTimestamp: "2026-11-24T12:00:00Z" },
            spec: {},
            status: {
              conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-11-26T11:55:00Z" }],
              nodeInfo: { kubeletVersion: "v1.32.0-kubeflare-0.1.0", architecture: "arm64" },
              addresses: [{ type: "InternalIP", address: "192.168.1.20" }],
            },
          },
        ],
      },
      "GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases": { items: [{ metadata: { name: "pi-1" }, spec: { renewTime: "2026-11-26T11:59:50.000000Z" } }] },
      "GET /api/v1/pods?fieldSelector=status.phase%21%3DSucceeded,status.phase%21%3DFailed": { items: [{ spec: { nodeName: "pi-1" } }, { spec: { nodeName: "pi-1" } }] },
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      "NAME   STATUS   AGENT   LAST HEARTBEAT   PODS   INTERNAL-IP    ARCH    AGE\n" +
        "pi-1   Ready    0.1.0   10s ago          2      192.168.1.20   arm64   2d\n",
    );
  });

  it("fails in one line with a non-zero exit: server errors, usage errors, unknown commands", async () => {
    const denied = await cli(["token", "list"], { "GET /kubeflare/v1/tokens": new CliError('GET /kubeflare/v1/tokens: forbidden: User "bob" cannot get path "/kubeflare/v1/tokens" (403)') });
    expect(denied.code).toBe(1);
    expect(denied.err.trim().split("\n")).toHaveLength(1);
    expect(denied.err).toContain("(403)");
    const usage = await cli(["token", "revoke"]);
    expect(usage).toMatchObject({ code: 2, err: "kubeflare: usage: kubeflare token revoke ID\n" });
    expect((await cli(["tokn"])).err).toBe('kubeflare: unknown command "tokn" (see kubeflare --help)\n');
    expect((await cli(["token", "create"])).err).toBe("kubeflare: --user is required\n");
  });

  it("has help for every command that names each of its flags", async () => {
    const { out } = await cli(["--help"]);
    for (const name of ["token create", "token list", "token revoke", "join-token create", "join-token list", "join-token revoke", "kubeconfig", "nodes"]) {
      expect(out).toContain(name);
      const help = await cli([...name.split(" "), "--help"]);
      expect(help.code).toBe(0);
      expect(help.out).toContain("Usage: kubeflare " + name);
    }
  });
});
