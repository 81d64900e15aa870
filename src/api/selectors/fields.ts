/**
 * Field selectors (`?fieldSelector=`), as apimachinery's `fields` package
 * parses them: comma-separated `field=value`, `field==value` or
 * `field!=value` terms, ANDed; `\,`, `\=` and `\\` escape those characters in
 * values. kubectl relies on these for `describe` (involvedObject.*), `drain`
 * and `describe node` (spec.nodeName, status.phase!=...), and every informer
 * watch (metadata.name=...).
 */
import { badRequest } from "../../errors.js";
import { fieldValue } from "./field-value.js";

export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

export interface FieldMatcher {
  readonly requirements: readonly FieldRequirement[];
  matches(obj: unknown): boolean;
  /** True when nothing is required. */
  empty(): boolean;
  /** The value a `field=value` term pins, so a store can narrow its query. */
  requiredValue(field: string): string | undefined;
  /** `metadata.name=x`: the one object that can match. */
  exactName(): string | undefined;
  exactNamespace(): string | undefined;
  /** Every field label the selector mentions (for per-kind validation). */
  fields(): string[];
  /** Canonical form: sorted terms, `==` written as `=`, values escaped. */
  toString(): string;
}

/** Operators in the order upstream tries them: "==" before "=" so no "=" is left on the value. */
const termOperators = ["!=", "==", "="] as const;

/** Splits on commas not preceded by a backslash; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; field names cannot be escaped. */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

class TermsSelector implements FieldMatcher {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(obj: unknown): boolean {
    return this.requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === "="));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  requiredValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === "=")?.value;
  }

  exactName(): string | undefined {
    return this.requiredValue("metadata.name");
  }

  exactNamespace(): string | undefined {
    return this.requiredValue("metadata.namespace");
  }

  fields(): string[] {
    return [...new Set(this.requirements.map((r) => r.field))];
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

/** Parses a field selector string; "" selects everything. Malformed input is a 400. */
export function parseFieldSelector(selector: string): FieldMatcher {
  // Sorted like upstream, which only shows in toString().
  const terms = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === "") continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [field, op, raw] = parts;
    requirements.push({ field, operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(raw) });
  }
  return new TermsSelector(requirements);
}

/** A selector built in code (controllers, informers), e.g. `{ "spec.nodeName": "node1" }`. */
export function fieldSelectorFromSet(set: Record<string, string>): FieldMatcher {
  return new TermsSelector(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, operator: "=" as const, value: set[field] })),
  );
}
