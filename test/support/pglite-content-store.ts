/**
 * The content store on the embedded PostgreSQL (PGlite), run in its own process (PGlite loads its
 * WebAssembly with a dynamic import, which jest's module sandbox refuses). Usage:
 * `node --import tsx test/support/pglite-content-store.ts DIR`; prints one JSON line of observations
 * that test/content-store.test.ts asserts on.
 */
import { createHash } from 'node:crypto';
import { ContentNotFoundError, EmbeddedPostgresDatabase, InvalidContentRefError, InvalidContentTenantError, MAX_TENANT_CHARS, PostgresContentStore } from '../../store';

async function outcome(p: Promise<unknown>): Promise<{ value?: unknown; error?: string; message?: string }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const db = new EmbeddedPostgresDatabase(process.argv[2]!);
  try {
    const store = new PostgresContentStore(db);
    await store.migrate();
    await store.migrate(); // idempotent
    const cold = () => new PostgresContentStore(db);
    const text = 'tool output — ünïcödé, emoji 🦀, a NUL \u0000 and a newline\n';
    const ref = await store.put(text, 'acme');
    const never = `sha256:${createHash('sha256').update('never stored').digest('hex')}`;
    const observed = {
      ref,
      expectedRef: `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`,
      again: await store.put(text, 'acme'),
      roundTrip: (await cold().get(ref, 'acme')) === text,
      otherTenant: await outcome(store.get(ref, 'globex')),
      otherTenantCold: await outcome(cold().get(ref, 'globex')),
      missing: await outcome(store.get(never, 'globex')),
      never,
      badRef: await outcome(store.get('sha256:abc', 'acme')),
      longTenant: await outcome(store.put('x', 't'.repeat(MAX_TENANT_CHARS + 1))),
      longestTenant: await outcome(store.put('x', 't'.repeat(MAX_TENANT_CHARS))),
      rows: (await db.query<{ tenant: string; bytes: number }>(`SELECT tenant, bytes FROM keel_content WHERE hash = $1`, [ref.slice(7)])).rows,
      names: [ContentNotFoundError.name, InvalidContentRefError.name, InvalidContentTenantError.name],
    };
    process.stdout.write(`${JSON.stringify(observed)}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
