import { createHash } from 'node:crypto';
import { ContentCache } from './content-cache';
import { checkContentTenant, ContentNotFoundError, contentRefHex, type ContentStore } from './content-store';
import type { SqlClient } from './sql-database';

/**
 * The content table (idempotent DDL): one row per (tenant, SHA-256 of the text). The body is the
 * text's UTF-8 bytes (`bytea`: PostgreSQL `text` cannot hold U+0000, which tool outputs may carry).
 */
export const CONTENT_STORE_SQL = `
CREATE TABLE IF NOT EXISTS keel_content (
  tenant text NOT NULL,
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  body bytea NOT NULL,
  bytes integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, hash)
);
`;

/** Options of a {@link PostgresContentStore}. */
export interface PostgresContentStoreOptions {
  /** Contents kept in memory per worker, by (tenant, reference). @default 2000 */
  cacheEntries?: number;
  /** Characters kept in memory in total. @default 33554432 (32 Mi) */
  cacheChars?: number;
}

/**
 * Session content in PostgreSQL (`keel_content`), shared by every worker and host of the database:
 * the default content store whenever a worker has a database. Works the same on a PostgreSQL
 * server and on the embedded one (PGlite).
 *
 * Tenant isolation: the table's key is (tenant, hash), and every statement here names the tenant,
 * so a reference alone addresses nothing: a tenant that never stored a text reads it as missing,
 * with the same {@link ContentNotFoundError} as content nobody stored. (Row-level security, which
 * guards the tables that user-written tools query, is not used here: no user code runs SQL against
 * this table, and a scoped transaction would cost four extra round trips on every read.)
 */
export class PostgresContentStore implements ContentStore {
  private readonly cache: ContentCache;

  constructor(
    private readonly db: SqlClient & { exec?(sql: string): Promise<void> },
    options: PostgresContentStoreOptions = {},
  ) {
    this.cache = new ContentCache(options.cacheEntries ?? 2000, options.cacheChars ?? 32 * 1024 * 1024);
  }

  /** Creates the table if it is missing. */
  async migrate(): Promise<void> {
    if (this.db.exec) await this.db.exec(CONTENT_STORE_SQL);
    else await this.db.query(CONTENT_STORE_SQL);
  }

  async put(text: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const body = Buffer.from(text, 'utf8');
    const hex = createHash('sha256').update(body).digest('hex');
    const ref = `sha256:${hex}`;
    if (this.cache.has(tenant, ref)) return ref;
    await this.db.query(`INSERT INTO keel_content (tenant, hash, body, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, hash) DO NOTHING`, [
      tenant,
      hex,
      body,
      body.length,
    ]);
    this.cache.set(tenant, ref, text);
    return ref;
  }

  async get(ref: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const hex = contentRefHex(ref);
    const cached = this.cache.get(tenant, ref);
    if (cached !== undefined) return cached;
    const { rows } = await this.db.query<{ body: Uint8Array }>(`SELECT body FROM keel_content WHERE tenant = $1 AND hash = $2`, [tenant, hex]);
    if (!rows[0]) throw new ContentNotFoundError(ref, 'PostgreSQL (keel_content)');
    const text = Buffer.from(rows[0].body).toString('utf8');
    this.cache.set(tenant, ref, text);
    return text;
  }
}
