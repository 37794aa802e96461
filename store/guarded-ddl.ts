/**
 * Schema statements that take a table lock only when they change something.
 *
 * Every worker start migrates Keel's tables. `ALTER TABLE … ADD COLUMN IF NOT EXISTS`, `ALTER TABLE
 * … ENABLE ROW LEVEL SECURITY`, `DROP/CREATE POLICY` and even `CREATE INDEX IF NOT EXISTS` lock the
 * table before they find there is nothing to do (ACCESS EXCLUSIVE, or SHARE for an index): a worker
 * starting while a long transaction reads the table waits for it, and every ledger or cache query
 * of every other worker queues behind that wait. These read the catalog first and run the
 * statement only when the schema lacks it, so starting a worker against a migrated database takes
 * no table lock at all.
 *
 * Names are SQL identifiers written in Keel's own code (never input); each function checks them.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

function onlyIf(condition: string, statement: string): string {
  return `DO $$ BEGIN\n  IF ${condition} THEN\n    ${statement};\n  END IF;\nEND $$;\n`;
}

/** `ALTER TABLE table ADD COLUMN column definition` when the column is missing. */
export function addColumnIfMissing(table: string, column: string, definition: string): string {
  return onlyIf(
    `NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${identifier(table)}'::regclass AND attname = '${identifier(column)}' AND NOT attisdropped)`,
    `ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`,
  );
}

/** `CREATE INDEX name ON definition` when no relation has that name. */
export function createIndexIfMissing(name: string, definition: string): string {
  return onlyIf(`to_regclass('${identifier(name)}') IS NULL`, `CREATE INDEX ${name} ON ${definition}`);
}

/** Enables and forces row-level security on the table, each only when it is not yet so. */
export function forceRowSecurity(table: string): string {
  const flag = (column: string) => `(SELECT ${column} FROM pg_class WHERE oid = '${identifier(table)}'::regclass)`;
  return (
    onlyIf(`NOT ${flag('relrowsecurity')}`, `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`) +
    onlyIf(`NOT ${flag('relforcerowsecurity')}`, `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`)
  );
}

/**
 * `CREATE POLICY name ON table definition` when the table has no policy of that name. A policy is
 * never redefined in place: a changed policy takes a new name (and the old one is dropped by name).
 */
export function createPolicyIfMissing(table: string, name: string, definition: string): string {
  return onlyIf(
    `NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = '${identifier(table)}'::regclass AND polname = '${identifier(name)}')`,
    `CREATE POLICY ${name} ON ${table} ${definition}`,
  );
}

/** `GRANT privileges ON table TO role` when the role lacks any of them. */
export function grantIfMissing(table: string, privileges: readonly string[], role: string): string {
  const missing = privileges.map((p) => `NOT has_table_privilege('${identifier(role)}', '${identifier(table)}', '${identifier(p.toLowerCase()).toUpperCase()}')`).join(' OR ');
  return onlyIf(missing, `GRANT ${privileges.join(', ')} ON ${table} TO ${role}`);
}
