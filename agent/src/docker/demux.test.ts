import { describe, expect, it } from "vitest";
import { DockerStreamDemuxer, dockerFrame } from "./demux.js";

async function demux(chunks: Buffer[]): Promise<string> {
  const demuxer = new DockerStreamDemuxer();
  const output: Buffer[] = [];
  demuxer.on("data", (chunk: Buffer) => output.push(chunk));
  const done = new Promise((resolve) => demuxer.on("end", resolve));
  for (const chunk of chunks) demuxer.write(chunk);
  demuxer.end();
  await done;
  return Buffer.concat(output).toString();
}

describe("DockerStreamDemuxer", () => {
  it("merges stdout and stderr frames in order", async () => {
    expect(await demux([dockerFrame(1, "out 1\n"), dockerFrame(2, "err 1\n"), dockerFrame(1, "out 2\n")])).toBe(
      "out 1\nerr 1\nout 2\n",
    );
  });

  it("reassembles frames split at any byte", async () => {
    const all = Buffer.concat([dockerFrame(1, "hello\n"), dockerFrame(2, "world\n")]);
    for (let cut = 1; cut < all.length; cut++) {
      expect(await demux([all.subarray(0, cut), all.subarray(cut)])).toBe("hello\nworld\n");
    }
  });

  it("handles many frames in one chunk", async () => {
    const frames = Array.from({ length: 50 }, (_, i) => dockerFrame(1, `${i}\n`));
    expect((await demux([Buffer.concat(frames)])).split("\n")).toHaveLength(51);
  });
});
