/**
 * Does one RBAC PolicyRule cover a request? Upstream's rbac.RuleAllows:
 * exact or "*" verbs and API groups; resources exactly ("pods/status"), "*",
 * or "*\/subresource"; resourceNames only when the request names an object;
 * non-resource URLs exactly or by a trailing "*" prefix.
 */
import type { PolicyRule } from "../schema/rbac.js";
import { combinedResource, type RequestAttributes } from "./request-attributes.js";

const matchesOrStar = (list: string[] | undefined, value: string) => !!list?.some((x) => x === "*" || x === value);

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

const resourceNameMatches = (rule: PolicyRule, name: string) => !rule.resourceNames?.length || rule.resourceNames.includes(name);

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!matchesOrStar(rule.verbs, attrs.verb)) return false;
  if (attrs.kind === "nonResource") return nonResourceURLMatches(rule, attrs.path);
  return (
    matchesOrStar(rule.apiGroups, attrs.apiGroup) &&
    resourceMatches(rule, combinedResource(attrs), attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

export const rulesAllow = (attrs: RequestAttributes, rules: PolicyRule[]) => rules.some((r) => ruleAllows(attrs, r));
