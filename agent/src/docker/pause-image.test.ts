import { describe, expect, it } from "vitest";
import { pauseArchitecture, pauseBinary } from "./pause-binary.js";
import { pauseImageTarball } from "./pause-image.js";

describe("pause binary", () => {
  it("is a static 64-bit little-endian ELF executable for each architecture", () => {
    for (const [arch, machine] of [
      ["amd64", 0x3e],
      ["arm64", 0xb7],
    ] as const) {
      const elf = pauseBinary(arch);
      expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
      expect(elf[4]).toBe(2); // 64-bit
      expect(elf[5]).toBe(1); // little endian
      expect(elf.readUInt16LE(16)).toBe(2); // ET_EXEC
      expect(elf.readUInt16LE(18)).toBe(machine);
      expect(elf.readBigUInt64LE(24)).toBe(0x400078n); // entry right after the headers
      expect(elf.readBigUInt64LE(96)).toBe(BigInt(elf.length)); // the segment maps the whole file
      expect(elf.length).toBeLessThan(256);
    }
  });

  it("maps Node architectures", () => {
    expect(pauseArchitecture("x64")).toBe("amd64");
    expect(pauseArchitecture("arm64")).toBe("arm64");
    expect(pauseArchitecture("s390x")).toBeUndefined();
  });
});

describe("pause image tarball", () => {
  it("holds /pause, executable, with a valid ustar header and a tag from its content", () => {
    const { tarball, tag } = pauseImageTarball("x64");
    expect(tarball.length % 512).toBe(0);
    expect(tarball.subarray(0, 5).toString()).toBe("pause");
    expect(tarball.subarray(100, 107).toString()).toBe("0000755");
    expect(tarball.subarray(257, 262).toString()).toBe("ustar");
    const stored = tarball.readUInt8(148) && tarball.subarray(148, 154).toString();
    const copy = Buffer.from(tarball.subarray(0, 512));
    copy.write("        ", 148, "ascii");
    expect(parseInt(String(stored), 8)).toBe(copy.reduce((sum, byte) => sum + byte, 0));
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(pauseImageTarball("x64").tag).toBe(tag);
    expect(() => pauseImageTarball("mips")).toThrow(/--pause-image/);
  });
});
