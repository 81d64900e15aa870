/**
 * What every case generator shares: the shape of a case, where the fuzzer
 * may write for real, and how resource paths are spelled.
 */
import { resourceTypes, type ResourceType } from "../../../src/schema/registry.js";
import { type Rng, between, chance, pick } from "./payloads.js";

export interface FuzzCase {
  category: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  /** Built when sent, so megabyte payloads are not all held at once. */
  body?: () => BodyInit;
  /** What the body was, for failure reports. */
  label: string;
  expect: "reject" | "any";
  /** Watches and logs: a 2xx answer is a stream, closed as soon as it opens. */
  stream?: boolean;
  /** Sent with only `headers`, no bearer token of the test's own. */
  anonymous?: boolean;
}

/** The objects the fuzzer must not change, and where its real writes go. */
export interface Targets {
  baseNamespace: string;
  scratchNamespace: string;
  baseNode: string;
  /** Existing baseline names per resource (namespaced ones live in baseNamespace). */
  baseNames: Record<string, string[]>;
}

export interface GenContext {
  r: Rng;
  t: Targets;
  add(c: Omit<FuzzCase, "headers" | "label"> & { headers?: Record<string, string>; label?: string }): void;
}

export const apiPrefix = (rt: ResourceType) => (rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`);

/** Path of a resource collection or item; `ns` is ignored for cluster-scoped kinds, `undefined` means all namespaces. */
export function resourcePath(rt: ResourceType, ns: string | undefined, name?: string, sub?: string, encode: (s: string) => string = encodeURIComponent): string {
  let p = apiPrefix(rt);
  if (rt.namespaced && ns !== undefined) p += `/namespaces/${encode(ns)}`;
  p += `/${rt.resource}`;
  if (name !== undefined) p += `/${encode(name)}`;
  if (sub !== undefined) p += `/${sub}`;
  return p;
}

export const typeOf = (resource: string) => resourceTypes.find((t) => t.resource === resource)!;
export const anyType = (r: Rng) => pick(r, resourceTypes);

/** An item to write to: a baseline object (the guard makes it a dry run) or a scratch name. */
export function itemTarget(ctx: GenContext, rt: ResourceType): { ns?: string; name: string } {
  const { r, t } = ctx;
  const base = t.baseNames[rt.resource] ?? [];
  if (base.length && chance(r, 0.35)) return { ns: t.baseNamespace, name: pick(r, base) };
  return { ns: t.scratchNamespace, name: `fz-s-${between(r, 0, 5)}` };
}

export const JSON_CT = { "content-type": "application/json" };
export const PATCH_CT = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;
export type PatchKind = keyof typeof PATCH_CT;

/** A query string from pairs, each escaped. */
export const q = (params: [string, string][]) => "?" + params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
