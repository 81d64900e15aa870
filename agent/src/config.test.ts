import { describe, expect, it } from "vitest";
import { defaultNodeName, defaultStateDir, parseCommandLine, parseLabels, UsageError } from "./config.js";

describe("parseCommandLine", () => {
  it("reads run with every flag, in both --flag value and --flag=value forms", () => {
    expect(
      parseCommandLine([
        "run",
        "--server",
        "https://127.0.0.1:8787",
        "--token=secret",
        "--name",
        "node-a",
        "--labels",
        "zone=a,disk=ssd",
        "--state-dir",
        "/tmp/s",
        "--ca-file",
        "/tmp/ca.pem",
      ]),
    ).toEqual({
      command: "run",
      options: {
        server: "https://127.0.0.1:8787",
        token: "secret",
        nodeName: "node-a",
        labels: { zone: "a", disk: "ssd" },
        stateDir: "/tmp/s",
        caFile: "/tmp/ca.pem",
      },
    });
  });

  it("reads join with the same flags, and takes the token from the environment", () => {
    const parsed = parseCommandLine(["join", "--server", "https://cp", "--name", "n1"], { KUBEFLARE_TOKEN: "t" });
    expect(parsed).toMatchObject({ command: "join", options: { server: "https://cp", token: "t", nodeName: "n1" } });
  });

  it("lets run leave the token to the stored node credential, but join needs one", () => {
    expect(parseCommandLine(["run", "--server", "https://cp"])).toEqual({ command: "run", options: { server: "https://cp" } });
    expect(() => parseCommandLine(["join", "--server", "https://cp"])).toThrow("join needs --token");
  });

  it("answers help and version", () => {
    expect(parseCommandLine([])).toEqual({ command: "help" });
    expect(parseCommandLine(["run", "--help"])).toEqual({ command: "help" });
    expect(parseCommandLine(["--version"])).toEqual({ command: "version" });
  });

  it("rejects bad usage with a clear message", () => {
    expect(() => parseCommandLine(["start"])).toThrow(UsageError);
    expect(() => parseCommandLine(["run", "--token", "t"])).toThrow("--server is required");
    expect(() => parseCommandLine(["run", "--server", "https://cp", "--token", "t", "--bogus", "1"])).toThrow('unknown flag "--bogus"');
    expect(() => parseCommandLine(["run", "--server", "not a url", "--token", "t"])).toThrow("--server must be a URL");
    expect(() => parseCommandLine(["run", "--server"])).toThrow("--server needs a value");
  });

  it("reads --channel websocket|poll and refuses anything else", () => {
    const options = (argv: string[]) => (parseCommandLine(argv) as { options: { channel?: string } }).options;
    expect(options(["run", "--server", "https://cp", "--channel", "poll"]).channel).toBe("poll");
    expect(options(["run", "--server", "https://cp", "--channel=websocket"]).channel).toBe("websocket");
    expect(options(["run", "--server", "https://cp"]).channel).toBeUndefined();
    expect(() => parseCommandLine(["run", "--server", "https://cp", "--channel", "sse"])).toThrow('--channel must be websocket or poll, got "sse"');
  });
});

describe("defaults", () => {
  it("parses labels", () => {
    expect(parseLabels("a=1, b=x=y")).toEqual({ a: "1", b: "x=y" });
    expect(() => parseLabels("novalue")).toThrow(/key=value/);
  });

  it("derives a valid node name from the hostname", () => {
    expect(defaultNodeName("My_Laptop.local")).toBe("my-laptop.local");
    expect(defaultNodeName("__")).toBe("node");
  });

  it("keeps one state dir per node", () => {
    expect(defaultStateDir("n1", 0, "/home/x")).toBe("/var/lib/kubeflare-agent/n1");
    expect(defaultStateDir("n1", 1000, "/home/x")).toBe("/home/x/.kubeflare-agent/n1");
  });
});

describe("parseCommandLine: network flags", () => {
  const base = ["run", "--server", "https://cp:8787", "--token", "t"];

  it("reads the service proxy flags, numbers as numbers, and --no-proxy without a value", () => {
    const parsed = parseCommandLine([
      ...base,
      "--relay-port=0",
      "--service-cidr",
      "10.43.0.0/16",
      "--cluster-dns-ip",
      "10.43.0.10",
      "--ingress-http-port",
      "8080",
      "--ingress-https-port=8443",
      "--drain-seconds",
      "1.5",
      "--no-proxy",
    ]);
    expect(parsed.command === "run" && parsed.options).toMatchObject({
      relayPort: 0,
      serviceCIDR: "10.43.0.0/16",
      clusterDNSIP: "10.43.0.10",
      ingressHttpPort: 8080,
      ingressHttpsPort: 8443,
      drainSeconds: 1.5,
      proxy: false,
    });
  });

  it("takes them from KUBEFLARE_* variables too, with flags winning", () => {
    const parsed = parseCommandLine([...base, "--ingress-http-port", "81"], {
      KUBEFLARE_RELAY_PORT: "10350",
      KUBEFLARE_INGRESS_HTTP_PORT: "9999",
      KUBEFLARE_NO_PROXY: "1",
    });
    expect(parsed.command === "run" && parsed.options).toMatchObject({ relayPort: 10350, ingressHttpPort: 81, proxy: false });
  });

  it("refuses a port that is not a port", () => {
    expect(() => parseCommandLine([...base, "--relay-port", "70000"])).toThrow(UsageError);
    expect(() => parseCommandLine([...base, "--ingress-http-port", "http"])).toThrow(/a port/);
  });
});
