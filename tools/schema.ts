import { SCOPED_ROLE, SCOPED_ROLE_SQL, type SqlDatabase } from '../store';

/**
 * Tables of the example tool packs, each with forced row-level security: for the scoped role that
 * tools run as, rows are visible and writable only when `keel.tenant` (and, for customer data,
 * `keel.subjects`) allow them; the owner (migrations, administration) keeps full access.
 * `keel_scope_owner` runs as the owner and tells, without showing the row, whom an id belongs to, so
 * a tool can report a scope violation.
 */
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS customers (
  tenant text NOT NULL, id text NOT NULL, name text NOT NULL, email text NOT NULL, plan text NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS orders (
  tenant text NOT NULL, id text NOT NULL, customer_id text NOT NULL, item text NOT NULL,
  amount_cents integer NOT NULL, status text NOT NULL, placed_on date NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS drafts (
  tenant text NOT NULL, id text NOT NULL, customer_id text NOT NULL, body text NOT NULL,
  idempotency_key text NOT NULL UNIQUE, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS emails (
  id bigserial PRIMARY KEY, tenant text NOT NULL, recipient text NOT NULL, subject text NOT NULL, body text NOT NULL,
  idempotency_key text NOT NULL UNIQUE, sent_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS payments (
  id bigserial PRIMARY KEY, tenant text NOT NULL, order_id text NOT NULL, kind text NOT NULL,
  amount_cents integer NOT NULL, idempotency_key text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS records (
  tenant text NOT NULL, id text NOT NULL, customer_id text NOT NULL, content text NOT NULL,
  deleted_at timestamptz, deleted_by_key text,
  PRIMARY KEY (tenant, id));

CREATE OR REPLACE FUNCTION keel_in_scope(row_tenant text, row_subject text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
  SELECT row_tenant = current_setting('keel.tenant', true)
     AND (coalesce(current_setting('keel.subjects', true), '') = ''
          OR row_subject = ANY (string_to_array(current_setting('keel.subjects', true), ',')))
$$;

CREATE OR REPLACE FUNCTION keel_scope_owner(kind text, wanted text) RETURNS TABLE (tenant text, subject text)
  LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT tenant, id FROM customers WHERE kind = 'customer' AND (id = wanted OR email = wanted)
  UNION ALL SELECT tenant, customer_id FROM orders WHERE kind = 'order' AND id = wanted
  UNION ALL SELECT tenant, customer_id FROM records WHERE kind = 'record' AND id = wanted
$$;
`;

const TABLES: Array<{ table: string; subject: string }> = [
  { table: 'customers', subject: 'id' },
  { table: 'orders', subject: 'customer_id' },
  { table: 'drafts', subject: 'customer_id' },
  { table: 'records', subject: 'customer_id' },
  { table: 'emails', subject: 'NULL' },
  { table: 'payments', subject: 'NULL' },
];

function policySql({ table, subject }: { table: string; subject: string }): string {
  const check = subject === 'NULL' ? `tenant = current_setting('keel.tenant', true)` : `keel_in_scope(tenant, ${subject})`;
  return `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS scope_isolation ON ${table};
CREATE POLICY scope_isolation ON ${table} TO ${SCOPED_ROLE} USING (${check}) WITH CHECK (${check});
DROP POLICY IF EXISTS administration ON ${table};
CREATE POLICY administration ON ${table} TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON ${table} TO ${SCOPED_ROLE};`;
}

/** Creates the example packs' tables, policies and the scoped role (idempotent). */
export async function migrateExampleTools(db: SqlDatabase): Promise<void> {
  await db.exec(SCOPED_ROLE_SQL);
  await db.exec(SCHEMA_SQL);
  await db.exec(TABLES.map(policySql).join('\n'));
  await db.exec(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${SCOPED_ROLE};
    GRANT EXECUTE ON FUNCTION keel_scope_owner(text, text) TO ${SCOPED_ROLE};`);
}
