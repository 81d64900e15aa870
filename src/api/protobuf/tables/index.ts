/** Every message table, keyed "<group>.<Message>" as `msg(…)` references them. */
import type { MessageTable } from "../fields.js";
import { apps } from "./apps.js";
import { authentication } from "./authentication.js";
import { authorization } from "./authorization.js";
import { batch } from "./batch.js";
import { core } from "./core.js";
import { coreContainer } from "./core-container.js";
import { corePod } from "./core-pod.js";
import { coreStatus } from "./core-status.js";
import { coreVolume } from "./core-volume.js";
import { meta } from "./meta.js";
import { networking } from "./networking.js";
import { policy } from "./policy.js";
import { rbac } from "./rbac.js";

export const MESSAGES: Readonly<Record<string, MessageTable>> = {
  ...meta,
  ...core,
  ...corePod,
  ...coreContainer,
  ...coreVolume,
  ...coreStatus,
  ...apps,
  ...batch,
  ...networking,
  ...rbac,
  ...authentication,
  ...authorization,
  ...policy,
};
