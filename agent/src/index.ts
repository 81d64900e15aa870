/**
 * The node agent: joins this machine to the control plane as a Node and runs
 * the pods bound to it in Docker. startAgent wires the pieces:
 *
 *   desired-state poller ──▶ pod runtime ──▶ Docker
 *        (+ disk cache)          │
 *   stream handler (logs)        ├──▶ pod status reporter ──▶ control plane
 *   node loop (register, lease)  └──▶ event recorder
 */
import { mkdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { BackoffPolicy, CrashBackoffPolicy } from "./backoff.js";
import { defaultNodeName, defaultStateDir } from "./config.js";
import { ControlPlaneClient } from "./controlplane/client.js";
import { ConnectionMonitor } from "./controlplane/connection.js";
import { DesiredStateCache } from "./controlplane/desired-state.js";
import { DesiredStateChannel, type ChannelMode } from "./controlplane/channel-socket.js";
import { EventRecorder } from "./controlplane/events.js";
import { NodeLease } from "./controlplane/heartbeat.js";
import { gatherNodeFacts } from "./controlplane/node-facts.js";
import { NodeLoop } from "./controlplane/node-loop.js";
import { deletePodObject } from "./controlplane/pod-deletion.js";
import { NodeRegistration } from "./controlplane/registration.js";
import { PodStatusReporter } from "./controlplane/status-reporter.js";
import { StreamHandler } from "./controlplane/streams.js";
import { DockerClient } from "./docker/client.js";
import { stderrLogger, type Logger } from "./log.js";
import { drainDelayMs } from "./network/endpoint-drain.js";
import { startNodeNetwork, type NodeNetwork, type ProxyMode } from "./network/node-network.js";
import { PodRuntime } from "./pod-runtime/runtime.js";
import { AGENT_VERSION } from "./version.js";
import { AgentMetrics, type PodView } from "./metrics/agent-metrics.js";
import { startMetricsServer, type MetricsServer } from "./metrics/server.js";

export interface AgentOptions {
  /** Control plane URL (https://…). */
  server: string;
  /** Bearer token. */
  token: string;
  /** Node name; the lowercased hostname by default. */
  nodeName?: string;
  /** Extra Node labels. */
  labels?: Record<string, string>;
  /** Where the desired-state cache and pod volumes live; one per agent. */
  stateDir?: string;
  /** CA certificate (PEM file) the server's certificate chains to. */
  caFile?: string;
  /** The same as PEM text, for callers holding it in memory. */
  ca?: string | Buffer;
  /** Docker socket; DOCKER_HOST or /var/run/docker.sock by default. */
  dockerSocket?: string;
  /** The node's InternalIP; the first address of a real interface by default. */
  nodeIP?: string;
  /** Docker network pods join (default "bridge"). */
  network?: string;
  /** Infra container image instead of the built-in pause image. */
  pauseImage?: string;
  /** Container crash-loop / image-pull backoff (tests shorten it). */
  backoff?: Partial<CrashBackoffPolicy>;
  /** Retry policy towards the control plane. */
  reconnectBackoff?: BackoffPolicy;
  heartbeatIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  pollTimeoutSeconds?: number;
  /** How desired state arrives: "websocket" (default, long-polling when refused) or "poll". */
  channel?: ChannelMode;
  statusBatchMs?: number;
  resyncIntervalMs?: number;
  /** Node relay port for other nodes' proxies (default 10250; 0: any free port). */
  relayPort?: number;
  /** The cluster's Service IP range (default 10.96.0.0/12). */
  serviceCIDR?: string;
  /** Cluster DNS address pods get (default: the tenth address of serviceCIDR). */
  clusterDNSIP?: string;
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** Seconds a deleted pod keeps running after leaving endpoints, before SIGTERM (default 2). */
  drainSeconds?: number;
  /** host:port for /metrics (agent/src/metrics); served only with metricsToken. */
  metricsAddress?: string;
  metricsToken?: string;
  /** false: no service proxy, relay, cluster DNS or Ingress on this node. */
  proxy?: boolean;
  /** "iptables" (default): Service ports served only by this node's pods are forwarded in the kernel. */
  proxyMode?: ProxyMode;
  log?: Logger;
}

export interface AgentHandle {
  nodeName: string;
  stateDir: string;
  runtime: PodRuntime;
  /** Stops the agent. Pods keep running; a restarted agent adopts them. */
  stop(): Promise<void>;
}

export { AGENT_VERSION } from "./version.js";
export { PodRuntime, type PodRuntimeOptions } from "./pod-runtime/runtime.js";
export { DockerClient } from "./docker/client.js";

export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const log = options.log ?? stderrLogger;
  const nodeName = options.nodeName ?? defaultNodeName();
  const stateDir = resolve(options.stateDir ?? defaultStateDir(nodeName));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const ca = options.ca ?? (options.caFile ? await readFile(options.caFile) : undefined);

  // Pods are read at scrape time, once the runtime exists.
  let podsView: () => PodView[] = () => [];
  const metrics = new AgentMetrics(() => podsView());
  const docker = new DockerClient({ socketPath: options.dockerSocket, observe: (m, p, seconds, ok) => metrics.observeDocker(m, p, seconds, ok) });
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(
      `cannot reach Docker at ${options.dockerSocket ?? process.env.DOCKER_HOST ?? "/var/run/docker.sock"}: ${(error as Error).message}`,
    );
  }
  const facts = await gatherNodeFacts(docker, { stateDir, nodeIP: options.nodeIP });
  log(
    `kubeflare-agent ${AGENT_VERSION} starting as node ${nodeName} (InternalIP ${facts.internalIP}, ` +
      `docker ${facts.dockerVersion}, state dir ${stateDir})`,
  );

  // Before registering: the Node's status publishes the relay's port.
  let network: NodeNetwork | undefined;
  if (options.proxy !== false) {
    network = await startNodeNetwork({
      server: options.server,
      token: options.token,
      ca,
      nodeName,
      nodeIP: facts.internalIP,
      relayPort: options.relayPort,
      serviceCIDR: options.serviceCIDR,
      clusterDNSIP: options.clusterDNSIP,
      ingressHttpPort: options.ingressHttpPort,
      ingressHttpsPort: options.ingressHttpsPort,
      proxyMode: options.proxyMode,
      retry: options.reconnectBackoff,
      log,
    });
    facts.relayPort = network.relayPort;
  }

  const client = new ControlPlaneClient({ server: options.server, token: options.token, ca });
  const monitor = new ConnectionMonitor(options.server, nodeName, log);
  const events = new EventRecorder(client, nodeName, monitor, log);
  const reporter = new PodStatusReporter({
    client,
    nodeName,
    monitor,
    batchMs: options.statusBatchMs,
    retry: options.reconnectBackoff,
    log,
  });
  const runtime = new PodRuntime({
    docker,
    nodeName,
    stateDir,
    hostIP: facts.internalIP,
    backoff: options.backoff,
    resyncIntervalMs: options.resyncIntervalMs,
    network: options.network,
    pauseImage: options.pauseImage,
    events,
    log,
    onPodStatus: (pod, status) => reporter.update(pod, status),
    deletePodObject: (pod) => deletePodObject(client, pod),
    drainDelayMs: network ? (pod, grace) => drainDelayMs(pod, grace, network!.catalog.services(), options.drainSeconds) : undefined,
    clusterDNS: network?.clusterDNSIP,
    clusterDomain: network?.catalog.clusterDomain,
    services: network ? () => network!.catalog.services() : undefined,
  });
  const streams = new StreamHandler(client, docker, runtime, nodeName, log);

  const cache = new DesiredStateCache(stateDir);
  const cached = await cache.load();
  if (cached) {
    runtime.setDesiredState(cached);
    log(`running ${cached.pods.length} pod(s) from the cached desired state until the control plane answers`);
  }
  runtime.start();

  const poller = new DesiredStateChannel({
    mode: options.channel,
    server: options.server,
    token: options.token,
    ca,
    client,
    nodeName,
    cache,
    monitor,
    version: cached?.version,
    pollTimeoutSeconds: options.pollTimeoutSeconds,
    retry: options.reconnectBackoff,
    log,
    onState: (state) => {
      runtime.setDesiredState(state);
      reporter.retain(new Set(state.pods.map((pod) => pod.metadata.uid ?? "")));
    },
    onCommands: (commands) => streams.handle(commands),
    onResync: () => resync(),
  });
  const registration = new NodeRegistration(client, facts, { nodeName, labels: options.labels ?? {}, agentVersion: AGENT_VERSION });
  const nodeLoop = new NodeLoop({
    registration,
    lease: new NodeLease(client, nodeName, () => registration.node?.metadata),
    monitor,
    log,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    nodeStatusIntervalMs: options.nodeStatusIntervalMs,
    retry: options.reconnectBackoff,
  });
  // The control plane may have missed anything while away (or had marked the node unreachable): report the truth again.
  const resync = () => {
    reporter.resendAll();
    nodeLoop.refreshStatus();
    runtime.requestSync();
  };
  monitor.onReconnect(resync);
  monitor.onReconnect(() => metrics.longPollReconnected());
  podsView = () =>
    runtime.desiredPods().map((pod) => {
      const status = runtime.podStatus(pod.metadata.uid ?? "");
      return { phase: status?.phase, restarts: (status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0) };
    });
  const metricsServer = await serveMetrics(options, metrics, log);
  poller.start();
  nodeLoop.start();

  let stopped: Promise<void> | undefined;
  return {
    nodeName,
    stateDir,
    runtime,
    stop() {
      stopped ??= (async () => {
        streams.stop();
        await Promise.all([poller.stop(), nodeLoop.stop(), runtime.stop(), network?.stop(), metricsServer?.close()]);
        await reporter.flush().catch(() => {});
        reporter.stop();
        events.stop();
        client.close();
        log(`node ${nodeName} agent stopped; its pods keep running`);
      })();
      return stopped;
    },
  };
}

/** /metrics when both an address and a token are given; a bad address is the user's error, said once. */
async function serveMetrics(options: AgentOptions, metrics: AgentMetrics, log: Logger): Promise<MetricsServer | undefined> {
  if (!options.metricsAddress) return undefined;
  if (!options.metricsToken) throw new Error("--metrics-address needs --metrics-token (metrics name pods and namespaces)");
  const at = options.metricsAddress.lastIndexOf(":");
  const host = at > 0 ? options.metricsAddress.slice(0, at).replace(/^\[|\]$/g, "") : "127.0.0.1";
  const port = Number(options.metricsAddress.slice(at + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--metrics-address must be HOST:PORT, got "${options.metricsAddress}"`);
  const server = await startMetricsServer({ address: host, port, token: options.metricsToken, render: () => metrics.render() });
  log(`serving /metrics on ${host}:${server.port}`);
  return server;
}

