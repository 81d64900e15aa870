/**
 * The in-kernel fast path of the service proxy, as iptables-restore text
 * (pure). A Service port whose usable endpoints all live on this node needs
 * no userspace hop: NAT rules send each new connection straight to one of
 * them, as kube-proxy's iptables mode does, and conntrack carries the rest of
 * the connection. Endpoints on other nodes still go through the userspace
 * proxy and the relay, since the kernel cannot reach another node's pods
 * without an overlay.
 *
 * Every chain carries a hash of the node name, so several agents sharing one
 * host (the e2e setup) each own their chains and never touch the others'.
 *
 *   nat PREROUTING, OUTPUT ──▶ KF-SVC-<node>  match ClusterIP:port, nodeIP:port, or any local address:nodePort
 *                                  └─▶ KF-SEP-<node>-<port>  connmark, then DNAT to one endpoint (random, equal shares)
 *   nat POSTROUTING        ──▶ KF-POST-<node> source NAT only where replies would not come back otherwise
 *   filter FORWARD/DOCKER-USER ─▶ KF-FWD-<node> accept marked connections (Docker's FORWARD policy is DROP)
 *   filter INPUT           ──▶ KF-IN-<node>   drop martian traffic to 127.0.0.0/8 (route_localnet's known hole)
 *
 * Source NAT is kept to the two cases that need it, so pods otherwise see the
 * real client address (this node routes their replies anyway: it is their
 * gateway). A client on 127.0.0.1 is given this host's own address, not the
 * bridge's: the agent's userspace connections to the same pods come from the
 * bridge address, and two origins sharing one address and port toward a pod
 * collide with the pod's TIME_WAIT sockets (their TCP timestamps disagree, so
 * the pod drops the SYN and the client waits a second to retry). A pod
 * reaching its own Service (hairpin) is not forwarded in the kernel at all
 * but left to the userspace listener, since Docker's bridge ports do not send
 * a frame back where it came from. Pods on the same bridge reach each other's
 * ClusterIPs through br_netfilter, which Docker turns on; without it, every
 * forwarded connection is masqueraded.
 */
import { createHash } from "node:crypto";

/** The connection mark of connections this proxy DNATs: one bit, clear of kube-proxy's 0x4000/0x8000. */
export const FORWARD_MARK = "0x40000/0x40000";

export interface KernelEndpoint {
  ip: string;
  port: number;
}

/** One listener's worth of traffic handed to the kernel. */
export interface KernelForward {
  /** The listener it stands for ("10.96.0.5:80", "0.0.0.0:30080"): names its chain. */
  key: string;
  /** Destination address; undefined: any local address of this host (a NodePort). */
  ip?: string;
  port: number;
  endpoints: KernelEndpoint[];
}

export interface ChainNames {
  /** Identifies this agent's chains among other agents' on the host. */
  owner: string;
  services: string;
  postrouting: string;
  forward: string;
  input: string;
  /** Prefix of the per-Service-port endpoint chains. */
  endpointPrefix: string;
}

const shortHash = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/** Chain names for node `nodeName` (iptables allows 28 characters). */
export function chainNames(nodeName: string): ChainNames {
  const owner = shortHash(nodeName, 8);
  return {
    owner,
    services: `KF-SVC-${owner}`,
    postrouting: `KF-POST-${owner}`,
    forward: `KF-FWD-${owner}`,
    input: `KF-IN-${owner}`,
    endpointPrefix: `KF-SEP-${owner}-`,
  };
}

export const endpointChain = (names: ChainNames, forward: KernelForward) => `${names.endpointPrefix}${shortHash(forward.key, 8)}`;

/** Every chain of `owner` named in iptables-save output. */
export function chainsOf(saved: string, owner: string): string[] {
  const chains = new Set<string>();
  for (const line of saved.split("\n")) {
    const match = /^:(KF-[A-Z]+-([0-9a-f]{8})(?:-[0-9a-f]{8})?) /.exec(line);
    if (match && match[2] === owner) chains.add(match[1]);
  }
  return [...chains];
}

/**
 * The nat table's service rules: KF-SVC and the endpoint chains are declared
 * (which empties them) and refilled in one transaction, and endpoint chains
 * no longer wanted are deleted in it, so a reader never sees half a ruleset.
 */
export interface SourceNat {
  /** The host address loopback clients are given toward pods; undefined: the bridge's (MASQUERADE). */
  loopbackSource?: string;
  /** false when bridged traffic skips iptables (no br_netfilter): then every forwarded connection is masqueraded. */
  bridgeNetfilter: boolean;
}

export function renderServiceRules(names: ChainNames, forwards: KernelForward[], existingEndpointChains: Iterable<string>, nat: SourceNat = { bridgeNetfilter: true }): string {
  // Specific addresses first, as a listener on ip:port beats one on 0.0.0.0:port.
  const ordered = [...forwards].filter((f) => f.endpoints.length > 0).sort((a, b) => Number(a.ip === undefined) - Number(b.ip === undefined));
  const wanted = new Map(ordered.map((forward) => [endpointChain(names, forward), forward]));
  const stale = [...existingEndpointChains].filter((chain) => chain.startsWith(names.endpointPrefix) && !wanted.has(chain));
  const lines = ["*nat", `:${names.services} - [0:0]`, `:${names.postrouting} - [0:0]`];
  for (const chain of [...wanted.keys(), ...stale]) lines.push(`:${chain} - [0:0]`);
  const marked = `-m connmark --mark ${FORWARD_MARK}`;
  const loopbackTarget = nat.loopbackSource ? `SNAT --to-source ${nat.loopbackSource}` : "MASQUERADE";
  lines.push(`-A ${names.postrouting} -s 127.0.0.0/8 ${marked} -j ${loopbackTarget}`);
  // Without br_netfilter, replies between pods of one bridge skip conntrack: then every forwarded connection is masqueraded.
  if (!nat.bridgeNetfilter) lines.push(`-A ${names.postrouting} ${marked} -j MASQUERADE`);
  for (const [chain, forward] of wanted) {
    const destination = forward.ip === undefined ? "-m addrtype --dst-type LOCAL" : `-d ${forward.ip}/32`;
    lines.push(`-A ${names.services} -p tcp ${destination} --dport ${forward.port} -j ${chain}`);
  }
  for (const [chain, forward] of wanted) {
    // A pod reaching its own Service is left to the userspace listener: DNATed back to itself, its frame would have to
    // leave the bridge port it came in on, which Docker's bridge ports refuse (hairpin mode is off).
    for (const endpoint of new Set(forward.endpoints.map((e) => e.ip))) lines.push(`-A ${chain} -s ${endpoint}/32 -j ACCEPT`);
    lines.push(`-A ${chain} -j CONNMARK --set-xmark ${FORWARD_MARK}`);
    const count = forward.endpoints.length;
    forward.endpoints.forEach((endpoint, index) => {
      // Rule i takes 1/(n-i) of what reaches it: every endpoint gets an equal share.
      const remaining = count - index;
      const share = remaining > 1 ? `-m statistic --mode random --probability ${(1 / remaining).toFixed(10)} ` : "";
      lines.push(`-A ${chain} -p tcp ${share}-j DNAT --to-destination ${endpoint.ip}:${endpoint.port}`);
    });
  }
  for (const chain of stale) lines.push(`-X ${chain}`);
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** A jump into one of our chains, tagged so a later agent can tell whose it is and whether its owner lives. */
export interface Jump {
  table: "nat" | "filter";
  chain: string;
  rule: string;
}

export interface Ownership {
  pid: number;
  /** Inode of the owner's PID namespace: a pid means nothing across namespaces. */
  pidNamespace: string;
}

export const ownerComment = (names: ChainNames, owner: Ownership) => `kubeflare:${names.owner} pid=${owner.pid} pidns=${owner.pidNamespace}`;

export function jumps(names: ChainNames, owner: Ownership, forwardChain: string): Jump[] {
  const tag = `-m comment --comment "${ownerComment(names, owner)}"`;
  return [
    { table: "nat", chain: "PREROUTING", rule: `${tag} -j ${names.services}` },
    { table: "nat", chain: "OUTPUT", rule: `${tag} -j ${names.services}` },
    { table: "nat", chain: "POSTROUTING", rule: `${tag} -j ${names.postrouting}` },
    { table: "filter", chain: forwardChain, rule: `${tag} -j ${names.forward}` },
    { table: "filter", chain: "INPUT", rule: `${tag} -j ${names.input}` },
  ];
}

/** Base chains, their fixed rules, and the jumps into them: what an agent installs once at start. */
export function renderSetup(names: ChainNames, owner: Ownership, forwardChain: string): string {
  const byTable = (table: Jump["table"]) => jumps(names, owner, forwardChain).filter((jump) => jump.table === table);
  return [
    "*nat",
    `:${names.services} - [0:0]`,
    `:${names.postrouting} - [0:0]`,
    ...byTable("nat").map((jump) => `-I ${jump.chain} 1 ${jump.rule}`),
    "COMMIT",
    "*filter",
    `:${names.forward} - [0:0]`,
    `:${names.input} - [0:0]`,
    // Both directions: replies to a client on another Docker network would meet Docker's isolation drop.
    `-A ${names.forward} -m connmark --mark ${FORWARD_MARK} -j ACCEPT`,
    // kube-proxy's CVE-2020-8558 guard: route_localnet must not open 127.0.0.1 services to the network.
    `-A ${names.input} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    ...byTable("filter").map((jump) => `-I ${jump.chain} 1 ${jump.rule}`),
    "COMMIT",
    "",
  ].join("\n");
}

/** A saved rule that jumps into some agent's chains, with the owner its comment names. */
export interface SavedJump {
  table: "nat" | "filter";
  /** The rule as iptables-save wrote it, without "-A ". */
  spec: string;
  owner: string;
  pid: number;
  pidNamespace: string;
}

/** Kubeflare jumps in iptables-save output (all tables). */
export function savedJumps(saved: string): SavedJump[] {
  const found: SavedJump[] = [];
  let table: string | undefined;
  for (const line of saved.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    const match = /^-A (\S+ .*--comment "?kubeflare:([0-9a-f]{8}) pid=(\d+) pidns=(\S+?)"? .*-j KF-.*)$/.exec(line);
    if (!match || (table !== "nat" && table !== "filter")) continue;
    found.push({ table, spec: match[1], owner: match[2], pid: Number(match[3]), pidNamespace: match[4] });
  }
  return found;
}

/**
 * Removes the given owners' jumps and chains: on stop (our own), at start (a
 * previous run of this node, or agents of this host that died without
 * cleaning up). Chains are emptied before deletion, all in one transaction.
 */
export function renderRemoval(saved: string, owners: Set<string>): string {
  const jumpsToDrop = savedJumps(saved).filter((jump) => owners.has(jump.owner));
  const sections: string[] = [];
  for (const table of ["nat", "filter"] as const) {
    const tableText = sliceTable(saved, table);
    const chains = [...owners].flatMap((owner) => chainsOf(tableText, owner));
    const drops = jumpsToDrop.filter((jump) => jump.table === table);
    if (chains.length === 0 && drops.length === 0) continue;
    sections.push(`*${table}`, ...chains.map((chain) => `:${chain} - [0:0]`), ...drops.map((jump) => `-D ${jump.spec}`), ...chains.map((chain) => `-X ${chain}`), "COMMIT");
  }
  return sections.length ? `${sections.join("\n")}\n` : "";
}

function sliceTable(saved: string, table: string): string {
  const start = saved.indexOf(`*${table}\n`);
  if (start < 0) return "";
  const end = saved.indexOf("\nCOMMIT", start);
  return saved.slice(start, end < 0 ? undefined : end);
}
