/**
 * The cluster store's token table: user tokens, join tokens and node
 * credentials, each kept as the SHA-256 of the token (never the token), with
 * who it stands for, its expiry and, for join tokens, the joins left.
 * Joining is one synchronous step here, so concurrent joins with a
 * single-use token cannot both succeed.
 */
import { KubeError, alreadyExists, conflict, notFound } from "../errors.js";
import { constantTimeEqual, isExpired, nodeUser, type TokenRecord, type TokenType } from "../auth/tokens.js";

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  hash: string;
  user: string | null;
  groups: string;
  node: string | null;
  created_by: string | null;
  description: string | null;
  created_at: number;
  expires_at: number | null;
  uses_remaining: number | null;
}

/** The resource names errors use (`tokens "abc123" not found`). */
export const resourceOf = (type: TokenType) => (type === "join" ? "jointokens" : "tokens");

function toRecord(row: Row): TokenRecord {
  const r: TokenRecord = {
    id: row.id,
    type: row.type as TokenType,
    groups: JSON.parse(row.groups),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
  if (row.user !== null) r.user = row.user;
  if (row.node !== null) r.node = row.node;
  if (row.created_by !== null) r.createdBy = row.created_by;
  if (row.description !== null) r.description = row.description;
  if (row.uses_remaining !== null) r.usesRemaining = row.uses_remaining;
  return r;
}

export const unauthorized = () => new KubeError(401, "Unauthorized", "Unauthorized");

export class TokenTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS tokens (
      id TEXT PRIMARY KEY, type TEXT NOT NULL, hash TEXT NOT NULL,
      user TEXT, groups TEXT NOT NULL, node TEXT, created_by TEXT, description TEXT,
      created_at INTEGER NOT NULL, expires_at INTEGER, uses_remaining INTEGER)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS tokens_by_node ON tokens (node) WHERE node IS NOT NULL`);
  }

  private row(id: string): Row | undefined {
    return this.sql.exec<Row>("SELECT * FROM tokens WHERE id = ?", id).toArray()[0];
  }

  /** Stores a new token by its hash; an id already taken is 409 (the caller draws another). */
  insert(record: TokenRecord, hash: string): TokenRecord {
    if (this.row(record.id)) throw alreadyExists(resourceOf(record.type), record.id);
    this.sql.exec(
      `INSERT INTO tokens (id, type, hash, user, groups, node, created_by, description, created_at, expires_at, uses_remaining)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      record.id,
      record.type,
      hash,
      record.user ?? null,
      JSON.stringify(record.groups),
      record.node ?? null,
      record.createdBy ?? null,
      record.description ?? null,
      record.createdAt,
      record.expiresAt,
      record.usesRemaining ?? null,
    );
    return record;
  }

  /** Tokens of the given types in id order, expired ones gone first. */
  list(types: TokenType[], now: number): TokenRecord[] {
    this.purgeExpired(now);
    const marks = types.map(() => "?").join(", ");
    return this.sql.exec<Row>(`SELECT * FROM tokens WHERE type IN (${marks}) ORDER BY id`, ...types).toArray().map(toRecord);
  }

  get(id: string, types: TokenType[], now: number): TokenRecord {
    const row = this.row(id);
    if (!row || !types.includes(row.type as TokenType) || isExpired(row.expires_at, now)) throw notFound(resourceOf(types[0]), id);
    return toRecord(row);
  }

  /** Revokes one token; 404 unless it exists and is of one of `types`. */
  remove(id: string, types: TokenType[]): TokenRecord {
    const row = this.row(id);
    if (!row || !types.includes(row.type as TokenType)) throw notFound(resourceOf(types[0]), id);
    this.sql.exec("DELETE FROM tokens WHERE id = ?", id);
    return toRecord(row);
  }

  /** The live token with this id and hash, or undefined (unknown, wrong secret, expired). */
  review(id: string, hash: string, now: number): TokenRecord | undefined {
    const row = this.row(id);
    if (!row || !constantTimeEqual(row.hash, hash) || isExpired(row.expires_at, now)) return undefined;
    return toRecord(row);
  }

  /**
   * Spends one use of a join token on a credential for `nodeName`. A name that
   * already holds a credential is refused (409): a second machine must not
   * take over a node; deleting the Node, or revoking its credential, frees it.
   */
  join(joinId: string, joinHash: string, nodeName: string, credential: { id: string; hash: string }, now: number): TokenRecord {
    const joinToken = this.review(joinId, joinHash, now);
    if (!joinToken || joinToken.type !== "join") throw unauthorized();
    const held = this.sql.exec<Row>("SELECT * FROM tokens WHERE type = 'node' AND node = ?", nodeName).toArray()[0];
    if (held)
      throw conflict(
        "nodes",
        nodeName,
        `node ${JSON.stringify(nodeName)} already joined (credential ${held.id}); delete the Node or revoke that credential to join again`,
      );
    if (this.row(credential.id)) throw alreadyExists("tokens", credential.id);
    const left = (joinToken.usesRemaining ?? 1) - 1;
    if (left > 0) this.sql.exec("UPDATE tokens SET uses_remaining = ? WHERE id = ?", left, joinId);
    else this.sql.exec("DELETE FROM tokens WHERE id = ?", joinId);
    const identity = nodeUser(nodeName);
    return this.insert(
      {
        id: credential.id,
        type: "node",
        user: identity.name,
        groups: identity.groups,
        node: nodeName,
        createdBy: `system:bootstrap:${joinId}`,
        createdAt: now,
        expiresAt: null,
      },
      credential.hash,
    );
  }

  /** A Node is gone: so are its credentials. Returns their ids. */
  revokeNode(nodeName: string): string[] {
    return this.sql
      .exec<{ id: string }>("DELETE FROM tokens WHERE type = 'node' AND node = ? RETURNING id", nodeName)
      .toArray()
      .map((r) => r.id);
  }

  /** Expired tokens can never authenticate again; dropping them keeps lists honest (upstream's token cleaner). */
  purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= ?", now);
  }
}
