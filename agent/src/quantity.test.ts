import { describe, expect, it } from "vitest";
import { cpuMillis, formatKibibytes, memoryBytes, parseQuantity } from "./quantity.js";

describe("parseQuantity", () => {
  it("reads decimal, binary and exponent forms", () => {
    expect(parseQuantity("100m")).toBeCloseTo(0.1);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1.5")).toBe(1.5);
    expect(parseQuantity("128Mi")).toBe(134217728);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("500k")).toBe(500000);
    expect(parseQuantity(3)).toBe(3);
  });

  it("rejects what Kubernetes rejects", () => {
    expect(() => parseQuantity("12 apples")).toThrow(/quantities must match/);
    expect(() => parseQuantity("")).toThrow();
  });
});

describe("units", () => {
  it("converts CPU to millicores, rounding up", () => {
    expect(cpuMillis("250m")).toBe(250);
    expect(cpuMillis("0.5")).toBe(500);
    expect(cpuMillis("2")).toBe(2000);
    expect(cpuMillis("100u")).toBe(1);
  });

  it("converts memory to bytes", () => {
    expect(memoryBytes("64Mi")).toBe(67108864);
    expect(memoryBytes("1.5Gi")).toBe(1610612736);
  });

  it("formats node memory in Ki", () => {
    expect(formatKibibytes(16 * 1024 * 1024 * 1024 + 100)).toBe("16777216Ki");
  });
});
