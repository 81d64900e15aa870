import { describe, expect, it } from "vitest";
import { bytesValue, cpuMilli, isValidQuantity, quantityMilliValue, quantityValue } from "./quantity.js";

describe("quantityMilliValue", () => {
  it.each([
    ["100m", 100],
    ["0.5", 500],
    ["0.1", 100],
    ["2", 2000],
    ["1.5", 1500],
    [".5", 500],
    ["1500u", 2],
    ["250000n", 1],
    ["1k", 1_000_000],
    ["1e3", 1_000_000],
    ["1E-3", 1],
    [2, 2000],
    [0.25, 250],
    ["-100m", -100],
  ])("%s → %d", (q, want) => {
    expect(quantityMilliValue(q)).toBe(want);
  });

  it("rounds fractions of a millicore up, as MilliValue does", () => {
    expect(quantityMilliValue("0.0001")).toBe(1);
    expect(quantityMilliValue("1n")).toBe(1);
  });
});

describe("quantityValue", () => {
  it.each([
    ["128Mi", 134217728],
    ["1Gi", 1073741824],
    ["1.5Gi", 1610612736],
    ["1G", 1_000_000_000],
    ["500M", 500_000_000],
    ["64k", 64_000],
    ["110", 110],
    ["100m", 1],
    ["1Ki", 1024],
    [1024, 1024],
  ])("%s → %d", (q, want) => {
    expect(quantityValue(q)).toBe(want);
  });
});

describe("malformed quantities", () => {
  it.each(["", "abc", "1Zi", "1.2.3", "Mi", "1 Gi", "1e", "--1"])("rejects %j", (q) => {
    expect(isValidQuantity(q)).toBe(false);
    expect(() => quantityValue(q)).toThrow(/quantities must match the regular expression/);
  });

  it("counts absent or malformed requests as zero in the lenient readers", () => {
    expect(cpuMilli(undefined)).toBe(0);
    expect(cpuMilli("nope")).toBe(0);
    expect(bytesValue(null)).toBe(0);
    expect(bytesValue("64Mi")).toBe(67108864);
  });
});
