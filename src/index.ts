/** Worker entry: the API app and the Durable Object classes it binds. */
import { createApp } from "./api/app.js";

export { ResourceStore } from "./durable/resource-store.js";
export { NodeChannel } from "./durable/node-channel.js";
export { MetricsStore } from "./durable/metrics-store.js";
export { RequestLimiter } from "./durable/request-limiter.js";

export default createApp();
