// The Docker Engine API over the local socket, for benchmarks that compare
// the agent with a client driving Docker directly: keep-alive requests,
// create + start with its duration, and force-removal.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";

const DOCKER_SOCKET = process.env.DOCKER_HOST?.replace(/^unix:\/\//, "") ?? "/var/run/docker.sock";
const dockerAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });

export function docker(method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { socketPath: DOCKER_SOCKET, agent: dockerAgent, method, path,
        headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, json, text });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Create + start, as a client of the Engine API would; resolves with the id and the time taken. */
export async function createAndStart(name, body) {
  const start = performance.now();
  const created = await docker("POST", `/containers/create?name=${encodeURIComponent(name)}`, body);
  if (created.status !== 201) throw new Error(`docker create ${name}: ${created.status} ${created.text.slice(0, 200)}`);
  const started = await docker("POST", `/containers/${created.json.Id}/start`);
  if (started.status !== 204) throw new Error(`docker start ${name}: ${started.status} ${started.text.slice(0, 200)}`);
  return { id: created.json.Id, ms: performance.now() - start };
}

export const removeContainer = (id) => docker("DELETE", `/containers/${id}?force=true&v=true`);

/** Force-removes containers, a few at a time. */
export async function removeAll(ids) {
  const queue = [...ids];
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (queue.length) await removeContainer(queue.pop());
  }));
}

/** Ids of the containers (running or not) carrying every one of `labels` ("key=value"). */
export async function containersWithLabel(...labels) {
  const filters = encodeURIComponent(JSON.stringify({ label: labels }));
  const r = await docker("GET", `/containers/json?all=true&filters=${filters}`);
  return r.status === 200 ? r.json.map((c) => c.Id) : [];
}

export const dockerSocket = DOCKER_SOCKET;
export const closeDocker = () => dockerAgent.destroy();
