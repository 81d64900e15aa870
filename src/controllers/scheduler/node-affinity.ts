/**
 * Node selection as the NodeAffinity plugin evaluates it (component-helpers
 * nodeaffinity): `spec.nodeSelector` must match exactly, and the required
 * node affinity's terms are ORed while each term's requirements are ANDed.
 * A term with no requirements, or any invalid requirement, matches nothing.
 * Selectors are compiled once per pod so the per-node check stays cheap.
 */
import type { Node, Pod } from "../../schema/core.js";

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

interface Term {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

/** A compiled check against a node's labels and name. */
export type NodeMatcher = (labels: Record<string, string>, name: string) => boolean;

const never: NodeMatcher = () => false;

const intPattern = /^[+-]?\d+$/;


function compileLabelRequirement(r: Requirement): NodeMatcher | undefined {
  const { key } = r;
  const values = r.values ?? [];
  switch (r.operator) {
    case "In": {
      if (values.length === 0) return undefined;
      const set = new Set(values);
      return (labels) => Object.hasOwn(labels, key) && set.has(labels[key]);
    }
    case "NotIn": {
      if (values.length === 0) return undefined;
      const set = new Set(values);
      return (labels) => !Object.hasOwn(labels, key) || !set.has(labels[key]);
    }
    case "Exists":
      return values.length === 0 ? (labels) => Object.hasOwn(labels, key) : undefined;
    case "DoesNotExist":
      return values.length === 0 ? (labels) => !Object.hasOwn(labels, key) : undefined;
    case "Gt":
    case "Lt": {
      if (values.length !== 1 || !intPattern.test(values[0])) return undefined;
      const bound = Number(values[0]);
      const gt = r.operator === "Gt";
      return (labels) => {
        const v = labels[key];
        if (v === undefined || !intPattern.test(v)) return false;
        return gt ? Number(v) > bound : Number(v) < bound;
      };
    }
    default:
      return undefined;
  }
}

/** matchFields supports only `metadata.name` with In/NotIn of exactly one value, as upstream validation allows. */
function compileFieldRequirement(r: Requirement): NodeMatcher | undefined {
  if (r.key !== "metadata.name") return undefined;
  const values = r.values ?? [];
  if (values.length !== 1) return undefined;
  const [want] = values;
  if (r.operator === "In") return (_l, name) => name === want;
  if (r.operator === "NotIn") return (_l, name) => name !== want;
  return undefined;
}

function compileTerm(term: Term): NodeMatcher {
  const parts: NodeMatcher[] = [];
  for (const r of term.matchExpressions ?? []) {
    const m = compileLabelRequirement(r);
    if (!m) return never;
    parts.push(m);
  }
  for (const r of term.matchFields ?? []) {
    const m = compileFieldRequirement(r);
    if (!m) return never;
    parts.push(m);
  }
  if (parts.length === 0) return never;
  if (parts.length === 1) return parts[0];
  return (labels, name) => {
    for (const p of parts) if (!p(labels, name)) return false;
    return true;
  };
}

/** NodeSelectorTerms ORed; an empty list matches nothing. */
export function compileNodeSelectorTerms(terms: readonly Term[]): NodeMatcher {
  const compiled = terms.map(compileTerm);
  if (compiled.length === 0) return never;
  if (compiled.length === 1) return compiled[0];
  return (labels, name) => {
    for (const t of compiled) if (t(labels, name)) return true;
    return false;
  };
}

/**
 * The pod's hard node constraints (nodeSelector AND required node affinity),
 * or undefined when it has none.
 */
export function compileRequiredNodeAffinity(pod: Pod): NodeMatcher | undefined {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? compileNodeSelectorTerms(required.nodeSelectorTerms ?? []) : undefined;
  if (selector.length === 0) return terms;
  return (labels, name) => {
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    return terms ? terms(labels, name) : true;
  };
}

/** Preferred node affinity: each matching term adds its weight to the node's score. */
export interface WeightedMatcher {
  weight: number;
  matches: NodeMatcher;
}

export function compilePreferredNodeAffinity(pod: Pod): WeightedMatcher[] {
  const preferred = (pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as {
    weight?: number;
    preference?: Term;
  }[];
  const out: WeightedMatcher[] = [];
  for (const p of preferred) {
    // Zero weight terms are skipped upstream; a missing preference matches nothing.
    if (!p.weight || !p.preference) continue;
    out.push({ weight: p.weight, matches: compileTerm(p.preference) });
  }
  return out;
}

/** Convenience for callers outside the hot path (DaemonSet placement). */
export function nodeMatchesRequiredAffinity(pod: Pod, node: Node): boolean {
  const m = compileRequiredNodeAffinity(pod);
  return m ? m(node.metadata.labels ?? {}, node.metadata.name ?? "") : true;
}
