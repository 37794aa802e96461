import type { SqlClient, SqlDatabase } from './sql-database';

/** The role that scoped transactions run as: not the tables' owner, so row-level security applies. */
export const SCOPED_ROLE = 'keel_tool';

/**
 * Runs `fn` in a transaction as {@link SCOPED_ROLE} with the session's scope set
 * (`keel.tenant`, `keel.subjects`), so that row-level security policies filter every query: a tool
 * that forgets a WHERE clause still sees only its own tenant's rows.
 */
export function withScope<T>(
  db: SqlDatabase,
  scope: { tenant: string; subjects: readonly string[] },
  fn: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL ROLE ${SCOPED_ROLE}`);
    await tx.query(`SELECT set_config('keel.tenant', $1, true), set_config('keel.subjects', $2, true)`, [
      scope.tenant,
      scope.subjects.join(','),
    ]);
    return fn(tx);
  });
}

/** SQL that creates {@link SCOPED_ROLE} and lets the connecting role switch to it (idempotent). */
export const SCOPED_ROLE_SQL = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SCOPED_ROLE}') THEN CREATE ROLE ${SCOPED_ROLE} NOLOGIN; END IF;
END $$;
GRANT ${SCOPED_ROLE} TO CURRENT_USER;
`;
