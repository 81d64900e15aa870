/**
 * The `?labelSelector=` string syntax, parsed the way apimachinery's
 * `labels.Parse` does (same lexer, same recursive descent, same messages):
 *
 *   selector    ::= requirement | requirement "," selector
 *   requirement ::= ["!"] KEY [ ("in"|"notin") "(" values ")" | ("="|"=="|"!="|">"|"<") VALUE ]
 *
 * Keeping upstream's exact grammar matters for odd-but-legal inputs kubectl
 * users type (`x in (a,,b)`, `env in (in)`, `!canary`, spaces anywhere).
 */
import { badRequest } from "../../errors.js";
import {
  type LabelMatcher,
  type LabelOperator,
  type LabelRequirement,
  isRequirementError,
  newRequirement,
  selectorFromRequirements,
} from "./labels.js";
import { invalidValue, isQualifiedName } from "./validation.js";

type Token =
  | "error"
  | "end"
  | "closedPar"
  | "comma"
  | "doesNotExist"
  | "doubleEquals"
  | "equals"
  | "greaterThan"
  | "identifier"
  | "in"
  | "lessThan"
  | "notEquals"
  | "notIn"
  | "openPar";

const string2token: Record<string, Token> = {
  ")": "closedPar",
  ",": "comma",
  "!": "doesNotExist",
  "==": "doubleEquals",
  "=": "equals",
  ">": "greaterThan",
  in: "in",
  "<": "lessThan",
  "!=": "notEquals",
  notin: "notIn",
  "(": "openPar",
};

interface Item {
  tok: Token;
  lit: string;
}

const isWhitespace = (ch: string) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecialSymbol = (ch: string) => "=!(),<>".includes(ch) && ch !== "";

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const next = (): Item => {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) return { tok: "end", lit: "" };
    if (isSpecialSymbol(s[pos])) {
      // Longest run of symbols that is still a known operator ("!=", "==").
      let buffer = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecialSymbol(s[pos])) {
        buffer += s[pos];
        const tok = string2token[buffer];
        if (tok) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      return last ?? { tok: "error", lit: `error expected: keyword found '${buffer}'` };
    }
    let buffer = "";
    while (pos < s.length && !isSpecialSymbol(s[pos]) && !isWhitespace(s[pos])) buffer += s[pos++];
    const keyword = string2token[buffer];
    return keyword ? { tok: keyword, lit: buffer } : { tok: "identifier", lit: buffer };
  };
  for (;;) {
    const item = next();
    items.push(item);
    if (item.tok === "end") return items;
  }
}

/** `in` and `notin` are plain words wherever a key or value is expected (`env in (in)`). */
type Context = "keyAndOperator" | "values";

class Parser {
  private position = 0;

  constructor(private readonly items: Item[]) {}

  lookahead(ctx: Context): Item {
    return this.asContext(this.items[this.position], ctx);
  }

  consume(ctx: Context): Item {
    return this.asContext(this.items[this.position++], ctx);
  }

  private asContext(item: Item, ctx: Context): Item {
    if (ctx === "values" && (item.tok === "in" || item.tok === "notIn")) return { tok: "identifier", lit: item.lit };
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead("values");
      switch (tok) {
        case "identifier":
        case "doesNotExist": {
          requirements.push(this.requirement());
          const after = this.consume("values");
          if (after.tok === "end") return requirements;
          if (after.tok === "comma") {
            const t2 = this.lookahead("values");
            if (t2.tok !== "identifier" && t2.tok !== "doesNotExist") {
              throw new Error(`found '${t2.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
        }
        case "end":
          return requirements;
        default:
          throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirement(): LabelRequirement {
    try {
      const [key, inferred] = this.keyAndInferOperator();
      let operator: LabelOperator;
      let values: string[] = [];
      if (inferred) {
        operator = inferred;
      } else {
        operator = this.operator();
        values = operator === "in" || operator === "notin" ? this.values() : this.exactValue();
      }
      const r = newRequirement(key, operator, values);
      if (isRequirementError(r)) throw new Error(r.message);
      return r;
    } catch (e) {
      throw new Error(`unable to parse requirement: ${(e as Error).message}`);
    }
  }

  private keyAndInferOperator(): [string, LabelOperator | undefined] {
    let inferred: LabelOperator | undefined;
    let item = this.consume("values");
    if (item.tok === "doesNotExist") {
      inferred = "!";
      item = this.consume("values");
    }
    if (item.tok !== "identifier") throw new Error(`found '${item.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(item.lit);
    if (keyErrs.length) throw new Error(invalidValue("<nil>", item.lit, keyErrs.join("; ")));
    const t = this.lookahead("values").tok;
    if ((t === "end" || t === "comma") && inferred !== "!") inferred = "exists";
    return [item.lit, inferred];
  }

  private operator(): LabelOperator {
    const { tok, lit } = this.consume("keyAndOperator");
    const ops: Partial<Record<Token, LabelOperator>> = {
      in: "in",
      equals: "=",
      doubleEquals: "==",
      greaterThan: "gt",
      lessThan: "lt",
      notIn: "notin",
      notEquals: "!=",
    };
    const op = ops[tok];
    if (!op) throw new Error(`found '${lit}', expected: '=', '!=', '==', 'in', notin'`);
    return op;
  }

  /** `(a,b)`; empty members count as the empty value, as in `(a,,b)` and `()`. */
  private values(): string[] {
    const open = this.consume("values");
    if (open.tok !== "openPar") throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead("values");
    if (tok === "identifier" || tok === "comma") {
      const set = this.identifiersList();
      if (this.consume("values").tok !== "closedPar") throw new Error(`found '${lit}', expected: ')'`);
      return set;
    }
    if (tok === "closedPar") {
      this.consume("values");
      return [""];
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifiersList(): string[] {
    const set = new Set<string>();
    const sorted = () => [...set].sort();
    for (;;) {
      const { tok, lit } = this.consume("values");
      if (tok === "identifier") {
        set.add(lit);
        const t2 = this.lookahead("values");
        if (t2.tok === "comma") continue;
        if (t2.tok === "closedPar") return sorted();
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (tok === "comma") {
        if (set.size === 0) set.add("");
        const t2 = this.lookahead("values").tok;
        if (t2 === "closedPar") {
          set.add("");
          return sorted();
        }
        if (t2 === "comma") {
          this.consume("values");
          set.add("");
        }
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const t = this.lookahead("values").tok;
    if (t === "end" || t === "comma") return [""];
    const { tok, lit } = this.consume("values");
    if (tok === "identifier") return [lit];
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string; "" selects everything. Syntax and
 * validation failures throw a 400 BadRequest carrying upstream's message.
 */
export function parseLabelSelector(s: string): LabelMatcher {
  try {
    return selectorFromRequirements(new Parser(lex(s)).parse());
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}
