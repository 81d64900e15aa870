// Where the CPU went during a benchmark phase, from /proc (Linux only):
// the benchmark client itself, wrangler's Node.js process, the workerd that
// serves the public port (wrangler dev's proxy, which terminates TLS), the
// workerd running the Worker and its Durable Objects, and everything else. On a small
// shared machine the last figure says how far a run's numbers can be trusted.
import { readFileSync, readdirSync } from "node:fs";
import { cpus } from "node:os";

// Linux reports process times in USER_HZ, which is 100 on every mainstream build.
const TICKS_PER_SECOND = 100;

function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself contain spaces.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    return { pid, comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function machineBusyTicks() {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  return { busy: user + nice + system + irq + softirq + (steal ?? 0), idle: idle + iowait };
}

/** The workerd listening on the public port is wrangler dev's proxy; the other one runs the Worker. */
function role(p, proxyPort) {
  if (p.comm !== "workerd") return "wrangler";
  try {
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, "utf8");
    return cmdline.includes(`entry=127.0.0.1:${proxyPort}`) ? "proxy" : "worker";
  } catch {
    return "worker";
  }
}

/** CPU ticks so far of this process, and of `rootPid` and its descendants by role. */
export function cpuSnapshot(rootPid, proxyPort) {
  try {
    const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((d) => procStat(Number(d))).filter(Boolean);
    const children = new Map();
    for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const tree = [];
    const root = all.find((p) => p.pid === rootPid);
    for (const queue = root ? [root] : []; queue.length; ) {
      const p = queue.shift();
      tree.push(p);
      queue.push(...(children.get(p.pid) ?? []));
    }
    return {
      at: Date.now(),
      machine: machineBusyTicks(),
      client: procStat(process.pid)?.ticks ?? 0,
      tree: new Map(tree.map((p) => [p.pid, { ...p, role: role(p, proxyPort) }])),
    };
  } catch {
    return undefined;
  }
}

/** The workerd processes in a snapshot: wrangler dev replaces them when it reloads the Worker. */
export const workerdPids = (snapshot) => [...(snapshot?.tree.values() ?? [])].filter((p) => p.comm === "workerd").map((p) => p.pid);

/**
 * Average cores used by each group between two snapshots. Processes that
 * started or ended in between count only for the part both snapshots saw.
 */
export function cpuBetween(a, b) {
  if (!a || !b) return undefined;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return undefined;
  const cores = (ticks) => ticks / TICKS_PER_SECOND / seconds;
  const used = (role) => {
    let ticks = 0;
    for (const p of b.tree.values()) {
      const before = a.tree.get(p.pid);
      if (before && p.role === role) ticks += p.ticks - before.ticks;
    }
    return cores(ticks);
  };
  const client = cores(b.client - a.client);
  const [wrangler, proxy, worker] = [used("wrangler"), used("proxy"), used("worker")];
  const busy = cores(b.machine.busy - a.machine.busy);
  return {
    client,
    wrangler,
    proxy,
    worker,
    other: Math.max(0, busy - client - wrangler - proxy - worker),
    idle: cores(b.machine.idle - a.machine.idle),
    total: cpus().length,
  };
}
