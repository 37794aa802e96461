import { Client as PgClient } from 'pg';
import { randomUUID } from 'node:crypto';
import { EvaluationStore, IdempotencyLedger, PostgresContentStore, PostgresDatabase, SharedToolCache, TraceStore } from '../store';
import { addColumnIfMissing, createIndexIfMissing, createPolicyIfMissing, forceRowSecurity, grantIfMissing } from '../store/guarded-ddl';
import { TEST_DATABASE_URL } from './support/test-database';

const KEEL_TABLES = ['keel_idempotency', 'keel_audit', 'keel_session_traces', 'keel_tool_cache', 'keel_tool_cache_invalidations', 'keel_session_scores', 'keel_review_queue', 'keel_content'];

let db: PostgresDatabase;
beforeAll(() => {
  db = new PostgresDatabase(TEST_DATABASE_URL);
});
afterAll(async () => {
  await db.close();
});

function migrations() {
  return [new IdempotencyLedger(db), new TraceStore(db), new SharedToolCache(db, {}), new EvaluationStore(db), new PostgresContentStore(db)];
}

/** Resolves with the first lock request on one of the tables that another session's lock keeps waiting. */
async function firstBlockedLock(stop: { done: boolean }): Promise<string | undefined> {
  while (!stop.done) {
    const { rows } = await db.query<{ relation: string; mode: string }>(
      `SELECT c.relname AS relation, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       WHERE NOT l.granted AND c.relname = ANY($1)`,
      [KEEL_TABLES],
    );
    if (rows.length > 0) return `${rows[0]!.mode} on ${rows[0]!.relation}`;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return undefined;
}

test('a worker start against migrated tables waits on no transaction that reads or writes them', async () => {
  for (const store of migrations()) await store.migrate();
  const holder = new PgClient({ connectionString: TEST_DATABASE_URL });
  await holder.connect();
  try {
    // What any running worker's transaction holds: ROW EXCLUSIVE conflicts with every lock a schema change takes.
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${KEEL_TABLES.join(', ')} IN ROW EXCLUSIVE MODE`);
    const stop = { done: false };
    const watcher = firstBlockedLock(stop);
    const migrated = (async () => {
      for (const store of migrations()) await store.migrate();
      stop.done = true;
    })();
    const blocked = await Promise.race([watcher, migrated.then(() => undefined)]);
    // Without the catalog checks the migration queues behind the holder: the lock it waits for is named here.
    expect(blocked).toBeUndefined();
    await migrated;
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
});

test('each guarded statement changes a table that lacks what it adds, and is a no-op once it is there', async () => {
  const table = `keel_ddl_probe_${randomUUID().slice(0, 8)}`;
  await db.exec(`CREATE TABLE ${table} (tenant text NOT NULL)`);
  try {
    const ddl =
      addColumnIfMissing(table, 'note', 'text') +
      createIndexIfMissing(`${table}_tenant`, `${table} (tenant)`) +
      forceRowSecurity(table) +
      createPolicyIfMissing(table, 'tenant_isolation', `TO keel_tool USING (tenant = current_setting('keel.tenant', true))`) +
      grantIfMissing(table, ['SELECT', 'INSERT'], 'keel_tool');
    await db.exec(ddl);
    await db.exec(ddl);
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT
         (SELECT count(*)::int FROM pg_attribute WHERE attrelid = $1::text::regclass AND attname = 'note' AND NOT attisdropped) AS columns,
         (SELECT count(*)::int FROM pg_indexes WHERE tablename = $1::text) AS indexes,
         (SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = $1::text::regclass) AS forced,
         (SELECT count(*)::int FROM pg_policy WHERE polrelid = $1::text::regclass) AS policies,
         has_table_privilege('keel_tool', $1::text, 'SELECT') AND has_table_privilege('keel_tool', $1::text, 'INSERT') AS granted,
         has_table_privilege('keel_tool', $1::text, 'DELETE') AS beyond`,
      [table],
    );
    expect(rows[0]).toEqual({ columns: 1, indexes: 1, forced: true, policies: 1, granted: true, beyond: false });
  } finally {
    await db.exec(`DROP TABLE ${table}`);
  }
});

test('a name that is not a plain identifier is refused before any SQL is built', () => {
  expect(() => addColumnIfMissing('keel_x; DROP TABLE keel_audit', 'c', 'text')).toThrow(/not a plain SQL identifier/);
  expect(() => createIndexIfMissing("i') IS NULL OR (true", 'keel_x (c)')).toThrow(/not a plain SQL identifier/);
});
