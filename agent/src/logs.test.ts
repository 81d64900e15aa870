import { describe, expect, it } from "vitest";
import type { Pod, PodStatus } from "../../src/schema/core.js";
import { ByteLimit, dockerLogsQuery, selectLogTarget } from "./logs.js";
import type { ObservedContainer } from "./pod-runtime/types.js";

const pod: Pod = { metadata: { name: "web", uid: "u" }, spec: { containers: [{ name: "app" }, { name: "sidecar" }] } };
const instance = (id: string, fields: Partial<ObservedContainer> = {}) => ({ id, state: "running", tty: false, ...fields }) as ObservedContainer;

describe("selectLogTarget", () => {
  const base = { pod, podName: "web", previous: false, instances: () => [] as ObservedContainer[] };

  it("reads the newest instance", () => {
    const target = selectLogTarget({ ...base, containerName: "app", instances: () => [instance("new"), instance("old", { state: "exited" })] });
    expect(target).toEqual({ ok: true, containerId: "new", tty: false });
  });

  it("reads the instance shown as lastState for --previous", () => {
    const status: PodStatus = {
      containerStatuses: [
        { name: "app", ready: false, restartCount: 2, image: "", imageID: "", lastState: { terminated: { exitCode: 1, containerID: "docker://old" } } },
      ],
    };
    const target = selectLogTarget({
      ...base,
      containerName: "app",
      previous: true,
      status,
      instances: () => [instance("new"), instance("old", { state: "exited" })],
    });
    expect(target).toMatchObject({ ok: true, containerId: "old" });
  });

  it("answers like the kubelet when it cannot", () => {
    expect(selectLogTarget({ ...base, pod: undefined, containerName: "app" })).toMatchObject({ code: 404, message: 'pods "web" not found' });
    expect(selectLogTarget({ ...base, containerName: "nope" })).toMatchObject({ code: 400, message: "container nope is not valid for pod web" });
    expect(selectLogTarget(base)).toMatchObject({
      code: 400,
      message: "a container name must be specified for pod web, choose one of: [app sidecar]",
    });
    expect(selectLogTarget({ ...base, containerName: "app" })).toMatchObject({
      message: 'container "app" in pod "web" is waiting to start: ContainerCreating',
    });
    expect(selectLogTarget({ ...base, containerName: "app", previous: true, instances: () => [instance("only")] })).toMatchObject({
      message: 'previous terminated container "app" in pod "web" not found',
    });
  });
});

describe("dockerLogsQuery", () => {
  it("maps PodLogOptions to Docker's query", () => {
    expect(dockerLogsQuery({}, 0)).toEqual({ stdout: true, stderr: true, follow: false, timestamps: false, tail: "all" });
    expect(dockerLogsQuery({ follow: true, timestamps: true, tailLines: 10, sinceSeconds: 60 }, 1_700_000_000_000)).toEqual({
      stdout: true,
      stderr: true,
      follow: true,
      timestamps: true,
      tail: 10,
      since: "1699999940.000",
    });
    expect(dockerLogsQuery({ sinceTime: "2026-01-01T00:00:00.5Z" }, 0).since).toBe("1767225600.500");
  });
});

describe("ByteLimit", () => {
  it("stops after the limit and tells the source to stop", async () => {
    let stopped = false;
    const limit = new ByteLimit(5, () => (stopped = true));
    const output: Buffer[] = [];
    limit.on("data", (chunk: Buffer) => output.push(chunk));
    const ended = new Promise((resolve) => limit.on("end", resolve));
    limit.write(Buffer.from("abc"));
    limit.write(Buffer.from("defgh"));
    await ended;
    expect(Buffer.concat(output).toString()).toBe("abcde");
    expect(stopped).toBe(true);
  });
});
