/**
 * Docker multiplexes stdout and stderr of a container without a TTY into
 * frames: 8-byte header (stream type, 3 zero bytes, big-endian length) then
 * the payload. This Transform yields the payloads in order as one stream,
 * which is what `kubectl logs` shows.
 */
import { Transform, type TransformCallback } from "node:stream";

export class DockerStreamDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      this.push(this.pending.subarray(8, 8 + length));
      this.pending = this.pending.subarray(8 + length);
    }
    callback();
  }
}

/** Builds one frame; used by tests and nothing else. */
export function dockerFrame(stream: 1 | 2, payload: string): Buffer {
  const data = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
