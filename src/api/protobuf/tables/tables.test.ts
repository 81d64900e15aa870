/** The tables hold together: every reference resolves and no JSON name is used twice. */
import { describe, expect, it } from "vitest";
import { KINDS } from "../kinds.js";
import { MESSAGES } from "./index.js";

describe("message tables", () => {
  it("resolve every message a field refers to", () => {
    const dangling: string[] = [];
    for (const [name, table] of Object.entries(MESSAGES)) {
      for (const [num, field] of Object.entries(table)) {
        if (field.type === "message" && !(field.ref && field.ref in MESSAGES)) dangling.push(`${name}.${num} → ${field.ref}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it("give each JSON name to one field per message", () => {
    for (const [name, table] of Object.entries(MESSAGES)) {
      const names = Object.values(table).filter((f) => !f.inline).map((f) => f.json);
      expect(new Set(names).size, name).toBe(names.length);
    }
  });

  it("map every decodable kind to a message with metadata", () => {
    for (const [kind, ref] of KINDS) {
      expect(MESSAGES[ref]?.[1], kind).toMatchObject({ json: "metadata", ref: "meta.ObjectMeta" });
    }
  });
});
