/**
 * What a pod asks of a node, computed the way upstream's resource helper does
 * (component-helpers PodRequests): app containers run together so their
 * requests add up; init containers run one at a time so the pod needs the
 * largest of them; restartable init containers (sidecars) keep running, so
 * they add to both; pod overhead is added on top.
 */
import type { Container, Node, Pod } from "../../schema/core.js";
import { bytesValue, cpuMilli } from "../quantity.js";

export interface PodRequests {
  cpuMilli: number;
  memoryBytes: number;
  pods: 1;
}

export interface NodeAllocatable {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

/**
 * The scheduler's stand-ins for containers that request nothing, used only
 * for scoring (DefaultMilliCPURequest, DefaultMemoryRequest) so zero-request
 * pods still spread instead of piling onto one node.
 */
export const DefaultMilliCPURequest = 100;
export const DefaultMemoryRequest = 200 * 1024 * 1024;

type Reader = (c: Container) => [cpu: number, mem: number];

const actualRequests: Reader = (c) => {
  const r = c.resources?.requests;
  return [cpuMilli(r?.cpu), bytesValue(r?.memory)];
};

const nonZeroRequests: Reader = (c) => {
  const r = c.resources?.requests;
  return [
    r && "cpu" in r ? cpuMilli(r.cpu) : DefaultMilliCPURequest,
    r && "memory" in r ? bytesValue(r.memory) : DefaultMemoryRequest,
  ];
};

function aggregate(pod: Pod, read: Reader): [number, number] {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    const [ccpu, cmem] = read(c);
    cpu += ccpu;
    mem += cmem;
  }
  let sidecarCpu = 0;
  let sidecarMem = 0;
  let initCpu = 0;
  let initMem = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    let [ccpu, cmem] = read(c);
    if (c.restartPolicy === "Always") {
      cpu += ccpu;
      mem += cmem;
      sidecarCpu += ccpu;
      sidecarMem += cmem;
      ccpu = sidecarCpu;
      cmem = sidecarMem;
    } else {
      ccpu += sidecarCpu;
      cmem += sidecarMem;
    }
    initCpu = Math.max(initCpu, ccpu);
    initMem = Math.max(initMem, cmem);
  }
  cpu = Math.max(cpu, initCpu);
  mem = Math.max(mem, initMem);
  const overhead = pod.spec?.overhead;
  if (overhead) {
    cpu += cpuMilli(overhead.cpu);
    mem += bytesValue(overhead.memory);
  }
  return [cpu, mem];
}

/** The pod's requests as the capacity ledger counts them. */
export function podRequests(pod: Pod): PodRequests {
  const [cpu, mem] = aggregate(pod, actualRequests);
  return { cpuMilli: cpu, memoryBytes: mem, pods: 1 };
}

/** Requests with the scoring defaults filled in for containers that set none. */
export function podNonZeroRequests(pod: Pod): { cpuMilli: number; memoryBytes: number } {
  const [cpu, mem] = aggregate(pod, nonZeroRequests);
  return { cpuMilli: cpu, memoryBytes: mem };
}

/** status.allocatable (falling back to capacity, as a node that reports only capacity means it). */
export function nodeAllocatable(node: Node): NodeAllocatable {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { cpuMilli: cpuMilli(a.cpu), memoryBytes: bytesValue(a.memory), pods: bytesValue(a.pods) };
}
