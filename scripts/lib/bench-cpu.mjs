// Where the CPU went during a benchmark phase, from /proc (Linux only):
// the benchmark client itself, wrangler's Node.js proxy, workerd (the Worker
// and its Durable Objects), and everything else on the machine. On a small
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

/** CPU ticks so far of this process, and of `rootPid` and its descendants grouped by name. */
export function cpuSnapshot(rootPid) {
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
    const sum = (ps) => ps.reduce((n, p) => n + p.ticks, 0);
    return {
      at: Date.now(),
      machine: machineBusyTicks(),
      client: procStat(process.pid)?.ticks ?? 0,
      workerd: sum(tree.filter((p) => p.comm === "workerd")),
      workerdPids: tree.filter((p) => p.comm === "workerd").map((p) => p.pid),
      wrangler: sum(tree.filter((p) => p.comm !== "workerd")),
    };
  } catch {
    return undefined;
  }
}

/** Average cores used by each group between two snapshots. */
export function cpuBetween(a, b) {
  if (!a || !b) return undefined;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return undefined;
  const cores = (ticks) => ticks / TICKS_PER_SECOND / seconds;
  const client = cores(b.client - a.client);
  const workerd = cores(b.workerd - a.workerd);
  const wrangler = cores(b.wrangler - a.wrangler);
  const busy = cores(b.machine.busy - a.machine.busy);
  return { client, wrangler, workerd, other: Math.max(0, busy - client - wrangler - workerd), idle: cores(b.machine.idle - a.machine.idle), total: cpus().length };
}
