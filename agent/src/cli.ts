/** kubeflare-agent's entry point: parse the command line, run until SIGINT/SIGTERM. */
import { parseCommandLine, USAGE, UsageError } from "./config.js";
import { resolveToken } from "./controlplane/join.js";
import { startAgent } from "./index.js";
import { stderrLogger } from "./log.js";
import { AGENT_VERSION } from "./version.js";
import { keepYoungGenerationSmall } from "./young-generation.js";

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`kubeflare-agent: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.command === "version") {
    process.stdout.write(`kubeflare-agent ${AGENT_VERSION}\n`);
    return 0;
  }
  keepYoungGenerationSmall();
  let agent;
  try {
    const options = await resolveToken(parsed.command, parsed.options, stderrLogger);
    agent = await startAgent({ ...options, log: stderrLogger });
  } catch (error) {
    process.stderr.write(`kubeflare-agent: ${(error as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      stderrLogger(`received ${signal}, stopping (pods keep running)`);
      resolve();
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
  await agent.stop();
  return 0;
}

export { startAgent, type AgentOptions, type AgentHandle } from "./index.js";
