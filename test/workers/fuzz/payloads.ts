/**
 * The fuzz test's raw material: picks from a seeded PRNG (src/testing/seeded-random.ts,
 * so a failure can be replayed from its seed), the large payloads (built once
 * and shared), and pools of hostile values.
 */

export type Rng = () => number;

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const between = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
export const chance = (r: Rng, p: number) => r() < p;

// ---- large payloads, built on first use and shared ------------------------------

const built = new Map<string, string>();
const once = (key: string, build: () => string) => {
  let v = built.get(key);
  if (v === undefined) built.set(key, (v = build()));
  return v;
};

/** 1 MiB of one character (JSON-safe). */
export const megabyteString = () => once("mb", () => "x".repeat(1 << 20));
/** A JSON array of 100k small elements. */
export const hugeArrayJson = (element = "1") => once(`arr:${element}`, () => `[${new Array(100_000).fill(element).join(",")}]`);
/** A JSON object with 100k keys. */
export const hugeObjectJson = () => once("obj", () => `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":"v"`).join(",")}}`);
/** JSON nested `levels` deep, as objects ({"a":{"a":…}}) or arrays ([[…]]). */
export const deepJson = (levels: number, shape: "object" | "array") =>
  once(`deep:${shape}:${levels}`, () =>
    shape === "object" ? '{"a":'.repeat(levels) + "1" + "}".repeat(levels) : "[".repeat(levels) + "1" + "]".repeat(levels),
  );
/** YAML nested `levels` deep in flow style. */
export const deepYamlFlow = (levels: number) => once(`yflow:${levels}`, () => "a: " + "[".repeat(levels) + "1" + "]".repeat(levels));
/** YAML nested `levels` deep by indentation. */
export const deepYamlBlock = (levels: number) =>
  once(`yblock:${levels}`, () => Array.from({ length: levels }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n");
/** A JSON object that is a valid ConfigMap but over the 3 MiB body limit. */
export const oversizeConfigMap = () =>
  once("oversize", () => JSON.stringify({ metadata: { name: "fz-oversize" }, data: { big: "y".repeat(3 * 1024 * 1024 + 512) } }));

/** Billion laughs and friends: aliases that expand exponentially. */
export function yamlBomb(levels: number, fanout: number): string {
  const lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fanout }, () => `*a${i - 1}`).join(", ")}]`);
  lines.push(`metadata: {name: bomb}`, `data: {x: *a${levels}}`);
  return lines.join("\n");
}

/** Replaces the JSON string "@@RAW@@" in `template` with raw JSON text (for payloads too big to build as objects). */
export const RAW = "@@RAW@@";
export const spliceRaw = (template: unknown, raw: string) => JSON.stringify(template).replace(`"${RAW}"`, () => raw);

// ---- hostile value pools ---------------------------------------------------------

/** Values of the wrong type for any field; `__proto__` keys come from JSON.parse so they stay own properties. */
export const WRONG_VALUES: unknown[] = [
  5,
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  9007199254740993,
  "x",
  "",
  "-1",
  true,
  false,
  null,
  {},
  [],
  [1],
  [null],
  ["x"],
  [[[]]],
  { a: 1 },
  { $patch: "delete" },
  "\u0000",
  "\u202e\u200b💥",
  "../../etc/passwd",
  JSON.parse('{"__proto__":{"fuzzPolluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"fuzzPolluted":"yes"}}}'),
];

/** Names that break DNS-1123 in every variant (label and subdomain). */
export const BAD_NAMES = [
  "",
  "UPPER",
  "under_score",
  "-lead",
  "trail-",
  ".dot",
  "dot.",
  "a..b",
  "sp ace",
  "tab\tname",
  "nul\u0000byte",
  "bell\u0007",
  "new\nline",
  "del\u007f",
  "ünïcødé",
  "名前",
  "emoji-💥",
  "rtl\u202egnp",
  "zero\u200bwidth",
  "..",
  ".",
  "../../etc",
  "a/b",
  "a%2Fb",
  "%2e%2e",
  "a\\b",
  "semi;colon",
  "q?uery",
  "h#ash",
  "pct%",
  "pct%zz",
  "%E0%A4%A",
  "x".repeat(254),
  "a".repeat(64) + "." + "b".repeat(64) + "." + "c".repeat(64) + "." + "d".repeat(64),
  "$(rm -rf /)",
  "'; DROP TABLE objects; --",
  "<script>",
];

/** "a!=" and "a=" (an empty value) are valid selectors upstream, so none here. */
export const BAD_LABEL_SELECTORS = [
  "a in (",
  "a in (b",
  "a in (b))",
  "!!a",
  "a==b==c",
  "a=b,",
  ",",
  "=",
  "=b",
  "a notin",
  "a notin (b,",
  "a in ()x",
  "(",
  ")",
  "a b",
  "a=b c",
  "🙂=1",
  "A/B/C=x",
  "a=" + "x".repeat(64),
  "k".repeat(64) + "=v",
  "a=\u0000",
  "a>b",
  "a<b",
  "a>",
  "a gt 1",
  "x in (a b)",
  "-a=b",
];

/** Empty terms (",") and empty values ("metadata.name==") are valid selectors upstream, so none here. */
export const BAD_FIELD_SELECTORS = [
  "metadata.name",
  "foo=bar",
  "spec.unknownField=x",
  "=x",
  "metadata.name=a,=b",
  "status.phase!",
  "metadata.name=x\\",
  "metadata.name=x\\y",
  "metadata.labels=x",
  "metadata.name in (a)",
  "\u0000=1",
];

export const BAD_INTS = ["-1", "abc", "1.5", "1e10", " 1", "0x10", "99999999999999999999999", "NaN", "Infinity", "１"];
export const BAD_RESOURCE_VERSIONS = ["abc", "-1", "1.5", "0x10", " 1", "1 ", "Ω", "1e3", "99999999999999999999999x", "\u0000"];
export const BAD_CONTINUE = ["!!!", "%", "garbage", btoa("null"), btoa("[]"), btoa('{"after":5}'), btoa("{"), "x".repeat(5000), "e30"];

export const UNKNOWN_CONTENT_TYPES = [
  "text/plain",
  "text/html",
  "application/xml",
  "application/octet-stream",
  "application/cbor",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "image/png",
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/vnd.kubernetes.protobuf;stream=watch",
  "application/jsonx",
  "json",
  ";;;",
  "application/json; charset=\u00ff",
];

export const BROKEN_JSON = [
  "{",
  "}",
  "[",
  '{"metadata":',
  '{"metadata":{"name":"x"}',
  '{"a":1,}',
  "{'a':1}",
  "{a:1}",
  "nul",
  "tru",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":-}',
  '{"a":01}',
  '{"a":1.}',
  '{"a":"\u0001"}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"metadata":{"name":"x"}}}}',
  '{"a" "b"}',
  '{"a":1}{"b":2}',
  "\u0000",
  "\uffff",
  "// comment\n{}",
  "{/* c */}",
  '"\\ud800"',
  "1",
  '"just a string"',
  "[]",
  "null",
  "true",
  "",
  "   \n\t  ",
];

export const BROKEN_YAML = [
  "a: b: c",
  "- a\n b",
  "a:\n\t- b",
  "{a: [}",
  'key: "unterminated',
  "key: 'unterminated",
  "&a [*a]",
  "a: *undefined",
  "<<: *nope",
  "a: !!binary ===",
  "a: !!int x",
  "a: !!js/function 'function(){}'",
  "a: !custom {x: 1}",
  "%YAML 9.9\n---\na: 1",
  "%TAG ! tag:evil:\n---\n!x a",
  "---\na: 1\n---\nb: 2",
  "? [complex, key]\n: value",
  "a: 1e999",
  "a:\n  - b\n c: d",
  "]]]",
  "- - - - -",
  "|\n  block",
  ">-\n  folded",
  "a: @reserved",
  "a: `backtick`",
  "a: [1, 2,, 3]",
  "metadata: 5",
  "metadata:\n  name: [x",
  "\u0000: \u0000",
  "key: value\n...\ntrailing",
];
