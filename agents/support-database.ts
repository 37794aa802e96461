import { resolve } from 'node:path';
import { EmbeddedPostgresDatabase, PostgresDatabase, type SqlDatabase } from '../store';
import { migrateExampleTools, seedExampleData } from '../tools';

/** Where the embedded PostgreSQL keeps its data unless `KEEL_DATABASE_URL` names a server. */
export const DEFAULT_EMBEDDED_DATA_DIR = resolve(__dirname, '..', '.keel', 'pgdata');

/**
 * The example agent's database: the PostgreSQL server at `KEEL_DATABASE_URL`, else an embedded one in
 * `.keel/pgdata` (one process at a time); its tables, row-level security and demo data are set up.
 */
export async function openSupportDatabase(url = process.env.KEEL_DATABASE_URL): Promise<SqlDatabase> {
  const db = url ? new PostgresDatabase(url) : new EmbeddedPostgresDatabase(DEFAULT_EMBEDDED_DATA_DIR);
  await migrateExampleTools(db);
  await seedExampleData(db);
  return db;
}
