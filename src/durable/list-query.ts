/**
 * The list/watch query a client sends (selectors, paging, versions), parsed
 * once in the API layer and carried to the stores as plain data.
 */
import { badRequest } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { parseFieldSelector, parseLabelSelector } from "../api/selectors/index.js";

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export type ObjectFilter = (o: KubeObject) => boolean;

export function buildFilter(q: ListQuery): ObjectFilter {
  const label = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
  const field = q.fieldSelector ? parseFieldSelector(q.fieldSelector) : undefined;
  if (!label && !field) return () => true;
  return (o) => (!label || label.matchesLabels(o.metadata?.labels ?? {})) && (!field || field.matches(o));
}

/** The name a field selector pins (`metadata.name=x`), so a store can read one row instead of scanning. */
export function exactName(q: ListQuery): string | undefined {
  return q.fieldSelector ? parseFieldSelector(q.fieldSelector).exactName() : undefined;
}

export interface ContinueToken {
  /** Namespace to resume in (cluster-wide lists), then the last name returned. */
  ns?: string;
  after: string;
}

export function encodeContinue(t: ContinueToken): string {
  return btoa(JSON.stringify(t)).replace(/=+$/, "");
}

export function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(atob(s));
    if (typeof t?.after !== "string") throw new Error();
    return t;
  } catch {
    throw badRequest(`continue key is not valid: ${s}`);
  }
}

/** Parses the numeric resourceVersion a client sent; "" and undefined mean "any". */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === "" || rv === "0") return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version "${rv}"`);
  return Number(rv);
}
