import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { IdempotencyLedger, PostgresDatabase } from '../../store';
import { migrateExampleTools, seedExampleData } from '../../tools';

/** The PostgreSQL server of the tests (`scripts/postgres-test-db.sh` creates it). */
export const TEST_DATABASE_URL = process.env.KEEL_TEST_DATABASE_URL ?? 'postgres://keel:keel@127.0.0.1:5432/keel_test';

/** Makes sure the test database answers (installing and starting PostgreSQL if needed) and sets it up. */
export async function prepareTestDatabase(): Promise<void> {
  if (!(await answers())) {
    if (process.env.KEEL_TEST_DATABASE_URL) throw new Error(`KEEL_TEST_DATABASE_URL=${TEST_DATABASE_URL} does not answer`);
    console.log('PostgreSQL does not answer; running scripts/postgres-test-db.sh');
    const setup = spawnSync('bash', [join(__dirname, '..', '..', 'scripts', 'postgres-test-db.sh')], { stdio: 'inherit' });
    if (setup.status !== 0 || !(await answers())) {
      throw new Error(`the tests need PostgreSQL at ${TEST_DATABASE_URL}: run scripts/postgres-test-db.sh (as root) or set KEEL_TEST_DATABASE_URL`);
    }
  }
  const db = new PostgresDatabase(TEST_DATABASE_URL);
  try {
    await migrateExampleTools(db);
    await new IdempotencyLedger(db).migrate();
    await seedExampleData(db);
  } finally {
    await db.close();
  }
}

async function answers(): Promise<boolean> {
  const db = new PostgresDatabase(TEST_DATABASE_URL, { max: 1 });
  try {
    await db.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.close().catch(() => undefined);
  }
}
