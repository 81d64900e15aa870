/**
 * Key rotation inside one store: report which keys are in use, and re-seal
 * every sealed row with the active data key in small synchronous batches,
 * yielding between batches so requests keep being served (each batch reads
 * and rewrites its rows in one step, so a write in between is never lost:
 * it is already sealed with the active key and the sweep skips it).
 */
import type { Keyring } from "../crypto/keyring.js";
import type { ObjectTable } from "./object-table.js";

export interface EncryptionReport {
  /** The data key new writes use (none until the store first seals something). */
  active?: string;
  keys: string[];
  /** Keys re-wrapped from SECRETS_KEK_PREVIOUS to SECRETS_KEK when this object loaded them. */
  rewrapped: number;
  /** Keys some stored row is sealed with. */
  inUse: string[];
  resealed?: number;
  retired?: string[];
}

const BATCH = 100;
const yieldToRequests = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function encryptionReport(table: ObjectTable, keyring: Keyring): EncryptionReport {
  const s = keyring.status();
  return { active: s.active, keys: s.keys, rewrapped: s.rewrapped, inUse: [...table.sealingKeys()] };
}

/**
 * Optionally starts a new data key, then re-seals what is not sealed with the
 * active key (older keys, rows from before encryption) and forgets unused keys.
 */
export async function rotateDataKeys(table: ObjectTable, keyring: Keyring, newKey: boolean): Promise<EncryptionReport> {
  if (newKey) keyring.rotate();
  let resealed = 0;
  for (;;) {
    const active = keyring.active ?? keyring.rotate();
    const n = table.resealBatch(active, BATCH);
    resealed += n;
    if (n < BATCH) break;
    await yieldToRequests();
  }
  const retired = keyring.retire(table.sealingKeys());
  return { ...encryptionReport(table, keyring), resealed, retired };
}
