import packageJson from "../package.json";

/** The agent's version, reported in nodeInfo.kubeletVersion as v1.32.0-kubeflare-<version>. */
export const AGENT_VERSION: string = packageJson.version;
