/** A minimal ustar writer: enough to hand Docker a one-file root filesystem. */

export interface TarEntry {
  name: string;
  data: Buffer;
  mode: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(512);
  block.write(entry.name, 0, 100, "utf8");
  block.write(octal(entry.mode, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii"); // uid
  block.write(octal(0, 8), 116, "ascii"); // gid
  block.write(octal(entry.data.length, 12), 124, "ascii");
  block.write(octal(0, 12), 136, "ascii"); // mtime: fixed, so the image id is reproducible
  block.write("        ", 148, "ascii"); // checksum placeholder
  block.write("0", 156, "ascii"); // regular file
  block.write("ustar\u000000", 257, "binary");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148, "ascii");
  return block;
}

export function tarball(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry), entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // end of archive
  return Buffer.concat(parts);
}
