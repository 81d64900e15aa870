/**
 * DNS message wire format (RFC 1035, SRV from RFC 2782, OPT from RFC 6891),
 * only as much as the cluster DNS server needs: read queries and upstream
 * answers, write answers. Names are written with compression, since headless
 * Services with many endpoints otherwise overflow 512-byte UDP answers.
 */

export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export const CLASS_IN = 1;

export interface Question {
  /** Lower-cased, without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export type ResourceRecord =
  | { name: string; type: typeof RecordType.A | typeof RecordType.AAAA; ttl: number; data: string }
  | { name: string; type: typeof RecordType.CNAME | typeof RecordType.PTR | typeof RecordType.NS; ttl: number; data: string }
  | { name: string; type: typeof RecordType.SRV; ttl: number; data: SrvData }
  | { name: string; type: typeof RecordType.SOA; ttl: number; data: SoaData };

export interface Message {
  id: number;
  /** The 16-bit flags word as sent. */
  flags: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
  /** The requestor's EDNS UDP payload size, when it sent an OPT record. */
  ednsUdpSize?: number;
}

export const Flag = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080 } as const;

export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

export class WireError extends Error {}

/** Reads a message; records of types this server never relays are skipped. */
export function decodeMessage(buffer: Uint8Array): Message {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.length < 12) throw new WireError("message shorter than its header");
  const counts = [view.getUint16(4), view.getUint16(6), view.getUint16(8), view.getUint16(10)];
  const message: Message = {
    id: view.getUint16(0),
    flags: view.getUint16(2),
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
  let offset = 12;
  for (let i = 0; i < counts[0]; i++) {
    const [name, next] = readName(buffer, view, offset);
    need(buffer, next + 4);
    message.questions.push({ name, type: view.getUint16(next), class: view.getUint16(next + 2) });
    offset = next + 4;
  }
  const sections = [message.answers, message.authorities, message.additionals];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const [name, next] = readName(buffer, view, offset);
      need(buffer, next + 10);
      const type = view.getUint16(next);
      const klass = view.getUint16(next + 2);
      const ttl = view.getUint32(next + 4);
      const length = view.getUint16(next + 8);
      const start = next + 10;
      need(buffer, start + length);
      if (type === RecordType.OPT) message.ednsUdpSize = klass;
      else {
        const record = readRecordData(buffer, view, name, type, ttl, start, length);
        if (record) sections[s].push(record);
      }
      offset = start + length;
    }
  }
  return message;
}

function readRecordData(
  buffer: Uint8Array,
  view: DataView,
  name: string,
  type: number,
  ttl: number,
  start: number,
  length: number,
): ResourceRecord | undefined {
  switch (type) {
    case RecordType.A:
      if (length !== 4) throw new WireError("A record of the wrong length");
      return { name, type, ttl, data: Array.from(buffer.subarray(start, start + 4)).join(".") };
    case RecordType.AAAA: {
      if (length !== 16) throw new WireError("AAAA record of the wrong length");
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(view.getUint16(start + i).toString(16));
      return { name, type, ttl, data: groups.join(":") };
    }
    case RecordType.CNAME:
    case RecordType.PTR:
    case RecordType.NS:
      return { name, type, ttl, data: readName(buffer, view, start)[0] };
    case RecordType.SRV:
      return {
        name,
        type,
        ttl,
        data: {
          priority: view.getUint16(start),
          weight: view.getUint16(start + 2),
          port: view.getUint16(start + 4),
          target: readName(buffer, view, start + 6)[0],
        },
      };
    default:
      return undefined;
  }
}

function need(buffer: Uint8Array, end: number) {
  if (end > buffer.length) throw new WireError("message truncated");
}

/** A name at `offset`, following compression pointers (bounded, so loops fail). Returns the name and the offset after it. */
function readName(buffer: Uint8Array, view: DataView, offset: number): [string, number] {
  const labels: string[] = [];
  let position = offset;
  let end = -1;
  for (let jumps = 0; ; ) {
    need(buffer, position + 1);
    const length = buffer[position];
    if (length === 0) {
      if (end < 0) end = position + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      need(buffer, position + 2);
      if (end < 0) end = position + 2;
      if (++jumps > 64) throw new WireError("compression loop");
      position = view.getUint16(position) & 0x3fff;
      continue;
    }
    if (length & 0xc0) throw new WireError("unknown label type");
    need(buffer, position + 1 + length);
    labels.push(new TextDecoder().decode(buffer.subarray(position + 1, position + 1 + length)));
    position += 1 + length;
  }
  return [labels.join(".").toLowerCase(), end];
}

/** Writes messages, remembering where each name suffix was written for compression. */
class Writer {
  private chunks: number[] = [];
  private names = new Map<string, number>();

  get length() {
    return this.chunks.length;
  }
  u8(value: number) {
    this.chunks.push(value & 0xff);
  }
  u16(value: number) {
    this.chunks.push((value >> 8) & 0xff, value & 0xff);
  }
  u32(value: number) {
    this.u16((value >>> 16) & 0xffff);
    this.u16(value & 0xffff);
  }
  setU16(at: number, value: number) {
    this.chunks[at] = (value >> 8) & 0xff;
    this.chunks[at + 1] = value & 0xff;
  }
  bytes(values: Iterable<number>) {
    for (const value of values) this.chunks.push(value);
  }
  name(name: string) {
    const labels = name.replace(/\.$/, "").split(".").filter((label) => label !== "");
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".").toLowerCase();
      const known = this.names.get(suffix);
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length < 0x3fff) this.names.set(suffix, this.length);
      const encoded = new TextEncoder().encode(labels[i]);
      if (encoded.length > 63) throw new WireError(`label longer than 63 bytes in ${name}`);
      this.u8(encoded.length);
      this.bytes(encoded);
    }
    this.u8(0);
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

export function encodeMessage(message: Message): Uint8Array {
  const writer = new Writer();
  writer.u16(message.id);
  writer.u16(message.flags);
  writer.u16(message.questions.length);
  writer.u16(message.answers.length);
  writer.u16(message.authorities.length);
  writer.u16(message.additionals.length + (message.ednsUdpSize !== undefined ? 1 : 0));
  for (const question of message.questions) {
    writer.name(question.name);
    writer.u16(question.type);
    writer.u16(question.class);
  }
  for (const record of [...message.answers, ...message.authorities, ...message.additionals]) writeRecord(writer, record);
  if (message.ednsUdpSize !== undefined) {
    writer.u8(0);
    writer.u16(RecordType.OPT);
    writer.u16(message.ednsUdpSize);
    writer.u32(0);
    writer.u16(0);
  }
  return writer.toBytes();
}

function writeRecord(writer: Writer, record: ResourceRecord) {
  writer.name(record.name);
  writer.u16(record.type);
  writer.u16(CLASS_IN);
  writer.u32(record.ttl);
  const lengthAt = writer.length;
  writer.u16(0);
  const start = writer.length;
  switch (record.type) {
    case RecordType.A:
      writer.bytes(ipv4Bytes(record.data));
      break;
    case RecordType.AAAA:
      writer.bytes(ipv6Bytes(record.data));
      break;
    case RecordType.CNAME:
    case RecordType.PTR:
    case RecordType.NS:
      writer.name(record.data);
      break;
    case RecordType.SRV:
      writer.u16(record.data.priority);
      writer.u16(record.data.weight);
      writer.u16(record.data.port);
      writer.name(record.data.target);
      break;
    case RecordType.SOA:
      writer.name(record.data.mname);
      writer.name(record.data.rname);
      for (const value of [record.data.serial, record.data.refresh, record.data.retry, record.data.expire, record.data.minimum]) {
        writer.u32(value);
      }
      break;
  }
  writer.setU16(lengthAt, writer.length - start);
}

export function ipv4Bytes(address: string): number[] {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new WireError(`not an IPv4 address: ${address}`);
  }
  return parts;
}

export function ipv6Bytes(address: string): number[] {
  if (address.split("::").length > 2) throw new WireError(`not an IPv6 address: ${address}`);
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) throw new WireError(`not an IPv6 address: ${address}`);
  const groups = [...headGroups, ...Array(missing).fill("0"), ...tailGroups].map((group) => parseInt(group, 16));
  if (groups.some((group) => !Number.isInteger(group) || group < 0 || group > 0xffff)) {
    throw new WireError(`not an IPv6 address: ${address}`);
  }
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** The first two bytes of a query, for answering one that could not be parsed. */
export function messageId(buffer: Uint8Array): number | undefined {
  return buffer.length >= 2 ? (buffer[0] << 8) | buffer[1] : undefined;
}
