/**
 * Tests that need kubectl or Docker fail (never skip) when the tool is
 * missing: under CI a skipped end-to-end test would hide a broken setup.
 */
import { execFileSync } from "node:child_process";

export function requireTool(name: "kubectl" | "docker" | "openssl"): void {
  try {
    execFileSync(name === "kubectl" ? "kubectl" : name, name === "kubectl" ? ["version", "--client"] : ["version"], {
      stdio: "ignore",
      timeout: 20_000,
    });
  } catch {
    throw new Error(
      `${name} is required for this test but is not usable on this machine` +
        (name === "docker" ? " (install docker.io and start dockerd; .ci/run does both)" : ""),
    );
  }
}
