/**
 * A pause program for the pod's infrastructure container, generated as a
 * tiny static ELF so no registry (registry.k8s.io/pause) and no particular
 * app image is needed: the agent imports it into Docker as a one-file image.
 *
 * What it does, like Kubernetes' pause: install SIGTERM/SIGINT handlers that
 * exit(0) (PID 1 ignores signals without a handler), then sleep forever.
 * The pod's containers share its network and IPC namespaces; it has no
 * children, so it never needs to reap zombies.
 */

const LOAD_ADDRESS = 0x400000;
const CODE_OFFSET = 64 + 56; // ELF header + one program header
const SA_RESTORER = 0x04000000;

export type PauseArchitecture = "amd64" | "arm64";

/** Maps Node's process.arch to the architectures we can generate. */
export function pauseArchitecture(nodeArch: string): PauseArchitecture | undefined {
  if (nodeArch === "x64") return "amd64";
  if (nodeArch === "arm64") return "arm64";
  return undefined;
}

/** The complete ELF executable for `arch`. */
export function pauseBinary(arch: PauseArchitecture): Buffer {
  const { machine, code } = arch === "amd64" ? amd64Code() : arm64Code();
  const size = CODE_OFFSET + code.length;
  const elf = Buffer.alloc(size);
  // e_ident: magic, 64-bit, little endian, version 1, System V ABI
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  elf.writeUInt16LE(2, 16); // e_type: executable
  elf.writeUInt16LE(machine, 18);
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS + CODE_OFFSET), 24); // e_entry
  elf.writeBigUInt64LE(64n, 32); // e_phoff
  elf.writeUInt16LE(64, 52); // e_ehsize
  elf.writeUInt16LE(56, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum
  // program header: one PT_LOAD, readable + executable, mapping the whole file
  elf.writeUInt32LE(1, 64);
  elf.writeUInt32LE(5, 68);
  elf.writeBigUInt64LE(0n, 72);
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 80);
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 88);
  elf.writeBigUInt64LE(BigInt(size), 96);
  elf.writeBigUInt64LE(BigInt(size), 104);
  elf.writeBigUInt64LE(0x1000n, 112);
  code.copy(elf, CODE_OFFSET);
  return elf;
}

/** struct sigaction as the kernel reads it: handler, flags, restorer, mask. */
function sigaction(handlerAddress: number): Buffer {
  const act = Buffer.alloc(32);
  act.writeBigUInt64LE(BigInt(handlerAddress), 0);
  // x86-64 refuses to deliver a signal without SA_RESTORER; the handler
  // never returns, so the restorer is never called.
  act.writeBigUInt64LE(BigInt(SA_RESTORER), 8);
  act.writeBigUInt64LE(BigInt(handlerAddress), 16);
  return act;
}

function amd64Code(): { machine: number; code: Buffer } {
  const base = LOAD_ADDRESS + CODE_OFFSET;
  // prettier-ignore
  const text = [
    0xb8, 0x0d, 0x00, 0x00, 0x00,             // 00 mov eax, 13 (rt_sigaction)
    0xbf, 0x0f, 0x00, 0x00, 0x00,             // 05 mov edi, 15 (SIGTERM)
    0x48, 0x8d, 0x35, 0x2f, 0x00, 0x00, 0x00, // 0a lea rsi, [rip+0x2f] -> act at 0x40
    0x31, 0xd2,                               // 11 xor edx, edx
    0x41, 0xba, 0x08, 0x00, 0x00, 0x00,       // 13 mov r10d, 8 (sigset size)
    0x0f, 0x05,                               // 19 syscall
    0xb8, 0x0d, 0x00, 0x00, 0x00,             // 1b mov eax, 13
    0xbf, 0x02, 0x00, 0x00, 0x00,             // 20 mov edi, 2 (SIGINT)
    0x0f, 0x05,                               // 25 syscall
    0xb8, 0x22, 0x00, 0x00, 0x00,             // 27 loop: mov eax, 34 (pause)
    0x0f, 0x05,                               // 2c syscall
    0xeb, 0xf7,                               // 2e jmp loop
    0xb8, 0xe7, 0x00, 0x00, 0x00,             // 30 handler: mov eax, 231 (exit_group)
    0x31, 0xff,                               // 35 xor edi, edi
    0x0f, 0x05,                               // 37 syscall
    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, // 39 padding to 0x40
  ];
  return { machine: 0x3e, code: Buffer.concat([Buffer.from(text), sigaction(base + 0x30)]) };
}

function arm64Code(): { machine: number; code: Buffer } {
  const base = LOAD_ADDRESS + CODE_OFFSET;
  // prettier-ignore
  const words = [
    0xd28001e0, // 00 movz x0, #15 (SIGTERM)
    0x10000221, // 04 adr x1, act (0x48)
    0xd2800002, // 08 movz x2, #0
    0xd2800103, // 0c movz x3, #8 (sigset size)
    0xd28010c8, // 10 movz x8, #134 (rt_sigaction)
    0xd4000001, // 14 svc #0
    0xd2800040, // 18 movz x0, #2 (SIGINT); x1..x3 and x8 survive the syscall
    0xd4000001, // 1c svc #0
    0xd2800000, // 20 loop: movz x0, #0
    0xd2800001, // 24 movz x1, #0
    0xd2800002, // 28 movz x2, #0
    0xd2800003, // 2c movz x3, #0
    0xd2800928, // 30 movz x8, #73 (ppoll with no fds and no timeout: sleeps until a signal)
    0xd4000001, // 34 svc #0
    0x17fffffa, // 38 b loop
    0xd2800000, // 3c handler: movz x0, #0
    0xd2800bc8, // 40 movz x8, #94 (exit_group)
    0xd4000001, // 44 svc #0
  ];
  const text = Buffer.alloc(words.length * 4);
  words.forEach((word, i) => text.writeUInt32LE(word, i * 4));
  return { machine: 0xb7, code: Buffer.concat([text, sigaction(base + 0x3c)]) };
}
