/**
 * Label selectors as apimachinery's `labels` package models them: a list of
 * requirements ANDed together, each validated by `newRequirement`. Both the
 * string form (`?labelSelector=`) and the object form (`spec.selector`) end up
 * here, so matching and printing behave the same whichever way they arrived.
 */
import type { LabelSelector } from "../../schema/meta.js";
import { badRequest } from "../../errors.js";
import { aggregate, invalidValue, isQualifiedName, isValidLabelValue } from "./validation.js";

/** selection.Operator values, spelled as upstream spells them. */
export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

type Labels = Record<string, string> | null | undefined;

export interface LabelMatcher {
  readonly requirements: readonly LabelRequirement[];
  /** Matches an object by its `metadata.labels`. */
  matches(obj: { metadata?: { labels?: Labels } | null } | null | undefined): boolean;
  matchesLabels(labels: Labels): boolean;
  /** True when nothing is required: every object matches. */
  empty(): boolean;
  /** The value a selector pins `key` to (`key=v`, `key==v`, `key in (v)`), for narrowing a query. */
  requiresExactMatch(key: string): string | undefined;
  /** Canonical form: requirements sorted by key, set values sorted (`app=web,tier in (a,b)`). */
  toString(): string;
}

const validOperators: LabelOperator[] = ["in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt"];
const isInteger = (s: string) => /^[+-]?\d+$/.test(s);

export interface RequirementError {
  message: string;
}

/**
 * labels.NewRequirement: validates the key, the number of values for the
 * operator, and each value. `path` is the field path upstream reports (`undefined`
 * prints as the parser's nil path); returns the aggregated message on failure.
 */
export function newRequirement(
  key: string,
  operator: LabelOperator,
  values: string[],
  path?: string,
): LabelRequirement | RequirementError {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalidValue(path ? `${path}.key` : "key", key, keyErrs.join("; ")));
  const valuesPath = path ? `${path}.values` : "values";
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(invalidValue(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(invalidValue(valuesPath, values, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(invalidValue(valuesPath, values, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(invalidValue(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInteger(v)) errs.push(invalidValue(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(
        `${path ? `${path}.operator` : "operator"}: Unsupported value: ${JSON.stringify(operator)}: supported values: ${validOperators
          .map((o) => JSON.stringify(o))
          .join(", ")}`,
      );
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalidValue(`${valuesPath}[${i}][${key}]`, v, valueErrs.join("; ")));
  });
  const message = aggregate(errs);
  return message ? { message } : { key, operator, values };
}

export const isRequirementError = (r: LabelRequirement | RequirementError): r is RequirementError => "message" in r;

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(value!);
    case "notin":
    case "!=":
      return !has || !r.values.includes(value!);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !isInteger(value!) || r.values.length !== 1 || !isInteger(r.values[0])) return false;
      const have = BigInt(value!);
      const want = BigInt(r.values[0]);
      return r.operator === "gt" ? have > want : have < want;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(",");
  switch (r.operator) {
    case "!":
      return `!${r.key}`;
    case "exists":
      return r.key;
    case "in":
      return `${r.key} in (${values})`;
    case "notin":
      return `${r.key} notin (${values})`;
    case "gt":
      return `${r.key}>${values}`;
    case "lt":
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

class RequirementsSelector implements LabelMatcher {
  readonly requirements: readonly LabelRequirement[];

  constructor(requirements: LabelRequirement[]) {
    // Sorted by key, as upstream does, so the string form is deterministic.
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  matches(obj: { metadata?: { labels?: Labels } | null } | null | undefined): boolean {
    return this.matchesLabels(obj?.metadata?.labels);
  }

  matchesLabels(labels: Labels): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1) return r.values[0];
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

/** A null `LabelSelector`: matches nothing (labels.Nothing()). */
const nothing: LabelMatcher = {
  requirements: [],
  matches: () => false,
  matchesLabels: () => false,
  empty: () => false,
  requiresExactMatch: () => undefined,
  toString: () => "",
};

export const everything = (): LabelMatcher => new RequirementsSelector([]);

export const selectorFromRequirements = (requirements: LabelRequirement[]): LabelMatcher =>
  new RequirementsSelector(requirements);

const expressionOperators: Record<string, LabelOperator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * metav1.LabelSelectorAsSelector: `{}` selects everything, null/undefined
 * selects nothing. Whether a null selector is acceptable at all is the
 * caller's decision; this only reports what it would match.
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): LabelMatcher {
  if (sel == null) return nothing;
  const matchLabels = sel.matchLabels ?? {};
  const expressions = sel.matchExpressions ?? [];
  const requirements: LabelRequirement[] = [];
  for (const key of Object.keys(matchLabels).sort()) {
    requirements.push(checked(newRequirement(key, "=", [matchLabels[key]])));
  }
  for (const expr of expressions) {
    const operator = expressionOperators[expr.operator];
    if (!operator) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(checked(newRequirement(expr.key, operator, [...(expr.values ?? [])])));
  }
  return new RequirementsSelector(requirements);
}

function checked(r: LabelRequirement | RequirementError): LabelRequirement {
  if (isRequirementError(r)) throw badRequest(r.message);
  return r;
}

/**
 * selector.String() of a LabelSelector object: what Scale `status.selector`
 * carries and what printers show. Empty and null selectors give "".
 */
export function labelSelectorToString(sel: LabelSelector | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}

/** labels.FormatLabels: `a=1,b=2` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels![k]}`).join(",");
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when it is empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  try {
    return labelSelectorToString(sel) || "<none>";
  } catch {
    return "<error>";
  }
}
