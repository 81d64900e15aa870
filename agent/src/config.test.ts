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

  it("treats join as run and takes the token from the environment", () => {
    const parsed = parseCommandLine(["join", "--server", "https://cp"], { KUBEFLARE_TOKEN: "t" });
    expect(parsed).toMatchObject({ command: "run", options: { server: "https://cp", token: "t" } });
  });

  it("answers help and version", () => {
    expect(parseCommandLine([])).toEqual({ command: "help" });
    expect(parseCommandLine(["run", "--help"])).toEqual({ command: "help" });
    expect(parseCommandLine(["--version"])).toEqual({ command: "version" });
  });

  it("rejects bad usage with a clear message", () => {
    expect(() => parseCommandLine(["start"])).toThrow(UsageError);
    expect(() => parseCommandLine(["run", "--token", "t"])).toThrow("--server is required");
    expect(() => parseCommandLine(["run", "--server", "https://cp"])).toThrow("--token is required");
    expect(() => parseCommandLine(["run", "--server", "https://cp", "--token", "t", "--bogus", "1"])).toThrow('unknown flag "--bogus"');
    expect(() => parseCommandLine(["run", "--server", "not a url", "--token", "t"])).toThrow("--server must be a URL");
    expect(() => parseCommandLine(["run", "--server"])).toThrow("--server needs a value");
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
