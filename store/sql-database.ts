import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';

/** Something that runs SQL with `$1`-style parameters. */
export interface SqlClient {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A PostgreSQL database: a server (production, tests) or an embedded one (the demo); the same SQL. */
export interface SqlDatabase extends SqlClient {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (schema migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL server reached through a connection pool (`pg`). */
export class PostgresDatabase implements SqlDatabase {
  private readonly pool: Pool;

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.pool = new Pool({ connectionString, max: options.max ?? 10 });
  }

  async query<R>(sql: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.pool.query(sql, params);
    return { rows: result.rows as R[] };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: SqlClient = { query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await client.query(sql, params)).rows as R[] }) };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * PostgreSQL embedded in the process (PGlite) with its data in a directory: the default for the demo
 * and a single worker. One process at a time may open a data directory.
 */
export class EmbeddedPostgresDatabase implements SqlDatabase {
  private readonly db: PGlite;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new PGlite(dataDir);
  }

  async query<R>(sql: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.db.query<R>(sql, params);
    return { rows: result.rows };
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({ query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await tx.query<R>(sql, params)).rows }) }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
