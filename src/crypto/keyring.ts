/**
 * One Durable Object's data-encryption keys, kept wrapped by the KEK in its
 * own SQLite table (`encryption_keys`) and unwrapped once into memory on the
 * object's first use. Any object that stores secrets at rest (a namespace's
 * ResourceStore, a NodeChannel shard holding node shares) makes a Keyring
 * over its own storage and calls `seal`/`open`, both synchronous.
 *
 * Rotation (docs/security.md): when SECRETS_KEK changes and the old one is
 * in SECRETS_KEK_PREVIOUS, loading re-wraps every DEK with the new KEK (a few
 * bytes per key, no record is touched). `rotate()` makes a new active DEK;
 * records sealed with older ones stay readable until a sweep re-seals them
 * and `retire` drops the keys no record uses.
 */
import { KubeError } from "../errors.js";
import { newDataKey, newKeyId, openRecord, parseKek, recordKeyId, sealRecord, unwrapKey, wrapKey } from "./envelope.js";

export interface KekSet {
  current: Uint8Array;
  previous?: Uint8Array;
}

export interface KekConfig {
  SECRETS_KEK?: string;
  SECRETS_KEK_PREVIOUS?: string;
}

/** The configured KEKs; a missing or malformed one is refused, never replaced by plaintext storage. */
export function kekFromEnv(env: KekConfig): KekSet {
  if (!env.SECRETS_KEK)
    throw new KubeError(503, "ServiceUnavailable", "SECRETS_KEK is not set: Secrets cannot be stored encrypted; set it with `openssl rand -base64 32 | wrangler secret put SECRETS_KEK`");
  try {
    return {
      current: parseKek(env.SECRETS_KEK),
      previous: env.SECRETS_KEK_PREVIOUS ? parseKek(env.SECRETS_KEK_PREVIOUS, "SECRETS_KEK_PREVIOUS") : undefined,
    };
  } catch (e) {
    throw new KubeError(503, "ServiceUnavailable", (e as Error).message);
  }
}

export interface KeyringStatus {
  active?: string;
  keys: string[];
  /** Keys found wrapped by SECRETS_KEK_PREVIOUS and re-wrapped with SECRETS_KEK when this object loaded them. */
  rewrapped: number;
}

export class Keyring {
  private keys?: Map<string, Uint8Array>;
  private activeId?: string;
  private rewrapped = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly kek: () => KekSet,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS encryption_keys (
      id TEXT PRIMARY KEY, wrapped TEXT NOT NULL, created INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 0)`);
  }

  /**
   * Loads the keys at object start when there are any, so keys still wrapped
   * by the previous KEK are re-wrapped without waiting for a Secret access.
   * A failure is logged here and surfaces on the first access that needs a key.
   */
  warm(): void {
    if (this.keys || !this.sql.exec("SELECT 1 FROM encryption_keys LIMIT 1").toArray().length) return;
    try {
      this.load();
    } catch (e) {
      console.error("encryption keys not loaded:", e instanceof Error ? e.message : e);
    }
  }

  /** Seals `plaintext` with the active DEK (made on first use); `aad` names the record (its storage key). */
  seal(plaintext: string, aad: string): string {
    const keys = this.load();
    const id = this.activeId ?? this.rotate();
    return sealRecord(id, keys.get(id)!, plaintext, aad);
  }

  open(stored: string, aad: string): string {
    const id = recordKeyId(stored);
    const dek = id === undefined ? undefined : this.load().get(id);
    if (!dek) throw new KubeError(500, "InternalError", `Internal error occurred: unable to decrypt ${aad}: data-encryption key ${JSON.stringify(id)} is unknown`);
    try {
      return openRecord(dek, stored, aad);
    } catch {
      throw new KubeError(500, "InternalError", `Internal error occurred: unable to decrypt ${aad}: authentication failed`);
    }
  }

  get active(): string | undefined {
    this.load();
    return this.activeId;
  }

  /** Makes a fresh DEK the active one and returns its id; older keys still open their records. */
  rotate(): string {
    const keys = this.load();
    const id = newKeyId();
    const dek = newDataKey();
    this.sql.exec("UPDATE encryption_keys SET active = 0");
    this.sql.exec("INSERT INTO encryption_keys (id, wrapped, created, active) VALUES (?, ?, ?, 1)", id, wrapKey(this.kek().current, dek), Date.now());
    keys.set(id, dek);
    this.activeId = id;
    return id;
  }

  /** Forgets inactive keys that no stored record uses any more; returns their ids. */
  retire(inUse: Set<string>): string[] {
    const keys = this.load();
    const gone = [...keys.keys()].filter((id) => id !== this.activeId && !inUse.has(id));
    for (const id of gone) {
      this.sql.exec("DELETE FROM encryption_keys WHERE id = ?", id);
      keys.delete(id);
    }
    return gone;
  }

  status(): KeyringStatus {
    const keys = this.load();
    return { active: this.activeId, keys: [...keys.keys()], rewrapped: this.rewrapped };
  }

  /** Unwraps every DEK once; keys still wrapped by the previous KEK are re-wrapped with the current one. */
  private load(): Map<string, Uint8Array> {
    if (this.keys) return this.keys;
    const kek = this.kek();
    const keys = new Map<string, Uint8Array>();
    const rows = this.sql.exec<{ id: string; wrapped: string; active: number }>("SELECT id, wrapped, active FROM encryption_keys").toArray();
    for (const row of rows) {
      let dek = unwrapKey(kek.current, row.wrapped);
      if (!dek && kek.previous) {
        dek = unwrapKey(kek.previous, row.wrapped);
        if (dek) {
          this.sql.exec("UPDATE encryption_keys SET wrapped = ? WHERE id = ?", wrapKey(kek.current, dek), row.id);
          this.rewrapped++;
        }
      }
      if (!dek)
        throw new KubeError(
          500,
          "InternalError",
          `Internal error occurred: data-encryption key ${row.id} opens with neither SECRETS_KEK nor SECRETS_KEK_PREVIOUS; set SECRETS_KEK_PREVIOUS to the key used before`,
        );
      keys.set(row.id, dek);
      if (row.active) this.activeId = row.id;
    }
    this.keys = keys;
    return keys;
  }
}
