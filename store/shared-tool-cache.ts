import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/intent';
import { SCOPED_ROLE, SCOPED_ROLE_SQL, withScope } from './scoped-transaction';
import type { SqlClient, SqlDatabase } from './sql-database';
import { createIndexIfMissing, createPolicyIfMissing, forceRowSecurity, grantIfMissing } from './guarded-ddl';

const TENANT_MATCHES = `tenant = current_setting('keel.tenant', true)`;

/**
 * The shared tool-result cache's tables (idempotent DDL), with forced row-level security: the
 * scoped role that every cache query runs as sees and changes only the rows of the tenant set in
 * `keel.tenant`, a second wall behind the key and the WHERE clauses, which name the tenant too.
 * `keel_tool_cache_invalidations` remembers when each resource tag was last invalidated, so that a
 * read that began before a write cannot store what it read after the write invalidated it.
 * A worker start against migrated tables takes no table lock (see guarded-ddl.ts).
 */
export const SHARED_TOOL_CACHE_SQL = `
SELECT pg_advisory_xact_lock(hashtextextended('keel_tool_cache migration', 0));
${SCOPED_ROLE_SQL}
CREATE TABLE IF NOT EXISTS keel_tool_cache (
  tenant text NOT NULL,
  key text NOT NULL,
  partition text NOT NULL,
  tool text NOT NULL,
  result text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  stored_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, key)
);
${createIndexIfMissing('keel_tool_cache_tags', 'keel_tool_cache USING gin (tags)')}${createIndexIfMissing('keel_tool_cache_expires', 'keel_tool_cache (tenant, expires_at)')}CREATE TABLE IF NOT EXISTS keel_tool_cache_invalidations (
  tenant text NOT NULL,
  tag text NOT NULL,
  invalidated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, tag)
);
${['keel_tool_cache', 'keel_tool_cache_invalidations']
  .map(
    (table) =>
      forceRowSecurity(table) +
      createPolicyIfMissing(table, 'tenant_isolation', `TO ${SCOPED_ROLE} USING (${TENANT_MATCHES}) WITH CHECK (${TENANT_MATCHES})`) +
      createPolicyIfMissing(table, 'administration', 'TO CURRENT_USER USING (true) WITH CHECK (true)') +
      grantIfMissing(table, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], SCOPED_ROLE),
  )
  .join('')}`;

/** Tag of the marker that {@link SharedToolCache.invalidateAll} leaves: every read that began before it is refused. */
const EVERY_TAG = '*';

/**
 * Who may be served an entry: the tenant always; with `subjects`, exactly that set of subjects (in
 * any order); without, every session of the tenant (tools declared `shared: 'tenant'`).
 */
export interface CachePartition {
  tenant: string;
  /** The session's subjects, or `null` for a tenant-wide entry. */
  subjects: readonly string[] | null;
}

/** A lookup that found a live entry. */
export interface SharedCacheHit {
  hit: true;
  /** The tool's output as stored (text). */
  result: string;
}

/** A lookup that found nothing live; pass `readStartedAt` to {@link SharedToolCache.store} after running the tool. */
export interface SharedCacheMiss {
  hit: false;
  /** The database's clock when the lookup ran: the read that follows began after it. */
  readStartedAt: string;
}

/** Options of {@link SharedToolCache}. */
export interface SharedToolCacheOptions {
  /**
   * How long invalidation markers are kept, and so the longest a tool may run between its lookup
   * and storing its result (a slower read is not stored). @default 3600000 (1 hour)
   */
  markerRetentionMs?: number;
  /** Every this many stores, the tenant's expired entries and old markers are purged. @default 200 */
  purgeEvery?: number;
}

/**
 * Results of `read` tools shared across sessions, in PostgreSQL. An entry is keyed by tenant,
 * partition (the session's subjects, or the whole tenant), tool and canonical input; a lookup names
 * each of them in its WHERE clause and runs under row-level security scoped to the tenant, so one
 * tenant's data is never served to another. The TTL is checked with the database's clock when an
 * entry is read; expired entries are deleted when met and purged now and then.
 *
 * Writes invalidate by resource tag within their tenant. A store and an invalidation of the same
 * tenant take an advisory lock (shared and exclusive), and a store is refused when one of its tags
 * was invalidated after its lookup, so a read that raced a write never leaves stale data behind.
 */
export class SharedToolCache {
  private readonly markerRetentionMs: number;
  private readonly purgeEvery: number;
  private stores = 0;

  constructor(
    private readonly db: SqlDatabase,
    options: SharedToolCacheOptions = {},
  ) {
    this.markerRetentionMs = options.markerRetentionMs ?? 3_600_000;
    this.purgeEvery = options.purgeEvery ?? 200;
  }

  /** Creates the tables, policies and the scoped role if they are missing. */
  async migrate(): Promise<void> {
    await this.db.exec(SHARED_TOOL_CACHE_SQL);
  }

  /** The entry's key: a digest of tenant, partition, tool and canonical input. */
  static keyOf(partition: CachePartition, tool: string, input: unknown): string {
    const text = canonicalJson({ tenant: partition.tenant, partition: partitionText(partition), tool, input });
    return createHash('sha256').update(text).digest('hex');
  }

  /** The live entry for this call, or a miss with the time the read begins. An expired entry met here is deleted. */
  async lookup(partition: CachePartition, tool: string, input: unknown): Promise<SharedCacheHit | SharedCacheMiss> {
    const key = SharedToolCache.keyOf(partition, tool, input);
    return this.scoped(partition.tenant, async (tx) => {
      const { rows } = await tx.query<{ now: string; result: string | null; live: boolean | null }>(
        `SELECT now()::text AS now, c.result, c.expires_at > now() AS live
         FROM (SELECT 1) AS one
         LEFT JOIN keel_tool_cache c ON c.tenant = $1 AND c.key = $2 AND c.partition = $3 AND c.tool = $4`,
        [partition.tenant, key, partitionText(partition), tool],
      );
      const row = rows[0]!;
      if (row.live === true && row.result !== null) return { hit: true, result: row.result };
      if (row.live === false) await tx.query(`DELETE FROM keel_tool_cache WHERE tenant = $1 AND key = $2 AND expires_at <= now()`, [partition.tenant, key]);
      return { hit: false, readStartedAt: row.now };
    });
  }

  /**
   * Stores a tool's result for `ttlMs` with its resource tags. Refused (returns false) when one of
   * the tags, or the whole tenant, was invalidated after `readStartedAt`, or when the read took
   * longer than the marker retention.
   */
  async store(
    partition: CachePartition,
    tool: string,
    input: unknown,
    entry: { result: string; tags: readonly string[]; ttlMs: number; readStartedAt: string },
  ): Promise<boolean> {
    const key = SharedToolCache.keyOf(partition, tool, input);
    const stored = await this.scoped(partition.tenant, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock_shared(${TENANT_LOCK})`, [partition.tenant]);
      const { rows } = await tx.query(
        `INSERT INTO keel_tool_cache (tenant, key, partition, tool, result, tags, stored_at, expires_at)
         SELECT $1, $2, $3, $4, $5, $6::text[], clock_timestamp(), clock_timestamp() + $7 * interval '1 millisecond'
         WHERE $8::timestamptz > clock_timestamp() - $9 * interval '1 millisecond'
           AND NOT EXISTS (
             SELECT 1 FROM keel_tool_cache_invalidations i
             WHERE i.tenant = $1 AND i.tag = ANY ($6::text[] || '${EVERY_TAG}'::text) AND i.invalidated_at >= $8::timestamptz)
         ON CONFLICT (tenant, key) DO UPDATE SET result = EXCLUDED.result, tags = EXCLUDED.tags,
           stored_at = EXCLUDED.stored_at, expires_at = EXCLUDED.expires_at
         RETURNING key`,
        [partition.tenant, key, partitionText(partition), tool, entry.result, [...entry.tags], entry.ttlMs, entry.readStartedAt, this.markerRetentionMs],
      );
      return rows.length > 0;
    });
    this.stores += 1;
    if (this.stores % this.purgeEvery === 0) await this.purgeTenant(partition.tenant);
    return stored;
  }

  /** Drops the tenant's entries that carry one of `tags` and marks the tags invalidated now; returns the entries dropped. */
  async invalidate(tenant: string, tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    return this.scoped(tenant, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${TENANT_LOCK})`, [tenant]);
      await tx.query(
        `INSERT INTO keel_tool_cache_invalidations (tenant, tag, invalidated_at)
         SELECT $1, tag, clock_timestamp() FROM unnest($2::text[]) AS tag
         ON CONFLICT (tenant, tag) DO UPDATE SET invalidated_at = EXCLUDED.invalidated_at`,
        [tenant, [...tags]],
      );
      const { rows } = await tx.query(`DELETE FROM keel_tool_cache WHERE tenant = $1 AND tags && $2::text[] RETURNING key`, [tenant, [...tags]]);
      return rows.length;
    });
  }

  /** Drops every entry of the tenant (used when a write's tags cannot be known); returns the entries dropped. */
  async invalidateAll(tenant: string): Promise<number> {
    return this.scoped(tenant, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${TENANT_LOCK})`, [tenant]);
      await tx.query(
        `INSERT INTO keel_tool_cache_invalidations (tenant, tag, invalidated_at) VALUES ($1, '${EVERY_TAG}', clock_timestamp())
         ON CONFLICT (tenant, tag) DO UPDATE SET invalidated_at = EXCLUDED.invalidated_at`,
        [tenant],
      );
      const { rows } = await tx.query(`DELETE FROM keel_tool_cache WHERE tenant = $1 RETURNING key`, [tenant]);
      return rows.length;
    });
  }

  /** Deletes every tenant's expired entries and old invalidation markers (as the tables' owner); returns the entries deleted. */
  async purgeExpired(): Promise<number> {
    const { rows } = await this.db.query(`DELETE FROM keel_tool_cache WHERE expires_at <= now() RETURNING key`);
    await this.db.query(`DELETE FROM keel_tool_cache_invalidations WHERE invalidated_at < now() - $1 * interval '1 millisecond'`, [this.markerRetentionMs]);
    return rows.length;
  }

  private async purgeTenant(tenant: string): Promise<void> {
    await this.scoped(tenant, async (tx) => {
      await tx.query(`DELETE FROM keel_tool_cache WHERE tenant = $1 AND expires_at <= now()`, [tenant]);
      await tx.query(`DELETE FROM keel_tool_cache_invalidations WHERE tenant = $1 AND invalidated_at < now() - $2 * interval '1 millisecond'`, [
        tenant,
        this.markerRetentionMs,
      ]);
    });
  }

  /** Runs `fn` as the scoped role with only the tenant set: row-level security admits that tenant's rows alone. */
  private scoped<T>(tenant: string, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (!tenant) throw new SharedCacheScopeError('a shared cache operation needs a tenant');
    return withScope(this.db, { tenant, subjects: [] }, fn);
  }
}

/** The advisory lock of a tenant's cache (`$1` is the tenant). */
const TENANT_LOCK = `hashtextextended('keel_tool_cache:' || $1::text, 0)`;

/** The partition as stored: `*` for the whole tenant, else the sorted subjects as JSON. */
function partitionText(partition: CachePartition): string {
  return partition.subjects === null ? '*' : JSON.stringify([...new Set(partition.subjects)].sort());
}

/** A shared cache operation without a tenant: refused, since entries are only ever kept per tenant. */
export class SharedCacheScopeError extends Error {
  override readonly name = 'SharedCacheScopeError';
}
