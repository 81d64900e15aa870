/**
 * Keeps V8's young generation at its starting size. Under bursts of short-lived
 * allocations (30 pods' probes and status reports, a wave of pods coming and
 * going) V8 doubles the semi-spaces up to 16 MiB each and does not give the
 * memory back while the process stays busy: 16–32 MiB of resident memory, most
 * of a bare Node.js process again, for an agent whose live heap is about 10 MiB.
 * A small young generation costs more frequent, but short, scavenges.
 *
 * `--max-semi-space-size` only takes effect when the heap is created (a node
 * flag the operator would have to pass); the growth factor is read at every
 * growth, so setting it to 1 from inside the process holds the young generation
 * where it started, whichever way the agent was launched.
 */
import { setFlagsFromString } from "node:v8";

export function keepYoungGenerationSmall(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
}
