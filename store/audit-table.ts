import type { AuditEntry } from './audit-log';
import type { SqlClient } from './sql-database';
import { createIndexIfMissing } from './guarded-ddl';

/**
 * The audit table (idempotent DDL): one row per applied side-effecting intent, keyed by its
 * idempotency key. The idempotency ledger writes a row in the same transaction that marks the
 * intent completed, so an applied intent never lacks its entry and never has two. `repaired` marks
 * a row written on a replay of an intent completed without one (before the table existed);
 * `mirrored_at` is set once the entry is also in the worker's audit log (the JSON-lines mirror).
 */
export const AUDIT_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS keel_audit (
  idempotency_key text PRIMARY KEY,
  session_id text NOT NULL,
  tenant text NOT NULL,
  agent text NOT NULL,
  tool text NOT NULL,
  tier text NOT NULL,
  input jsonb NOT NULL,
  ok boolean NOT NULL,
  result_ref text NOT NULL,
  approved_by text,
  approval_sender text,
  at timestamptz NOT NULL,
  repaired boolean NOT NULL DEFAULT false,
  mirrored_at timestamptz
);
${createIndexIfMissing('keel_audit_session', 'keel_audit (session_id)')}
`;

/** An audit row: the entry, and whether the worker's audit log (the mirror) has it too. */
export interface StoredAuditEntry {
  entry: AuditEntry;
  /** Written on a replay of an intent that had been completed without an entry. */
  repaired: boolean;
  mirrored: boolean;
}

interface AuditRow {
  idempotency_key: string;
  session_id: string;
  tenant: string;
  agent: string;
  tool: string;
  tier: string;
  input: unknown;
  ok: boolean;
  result_ref: string;
  approved_by: string | null;
  approval_sender: string | null;
  at: Date | string;
  repaired: boolean;
  mirrored_at: Date | string | null;
}

/**
 * The audit entries of applied intents in PostgreSQL (`keel_audit`), the record of truth when the
 * worker has a database; written by {@link IdempotencyLedger} in its completion transaction.
 */
export class AuditTable {
  constructor(private readonly db: SqlClient) {}

  /** Inserts `entry` with `client` (a transaction's); false when the intent already has one. */
  static async insert(client: SqlClient, entry: AuditEntry, options: { repaired?: boolean } = {}): Promise<boolean> {
    const { rows } = await client.query(
      `INSERT INTO keel_audit (idempotency_key, session_id, tenant, agent, tool, tier, input, ok, result_ref, approved_by, approval_sender, at, repaired)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [
        entry.idempotencyKey,
        entry.sessionId,
        entry.tenant,
        entry.agent,
        entry.tool,
        entry.tier,
        JSON.stringify(entry.input ?? null),
        entry.ok,
        entry.resultRef,
        entry.approvedBy ?? null,
        entry.approvalSender ?? null,
        entry.atIso,
        options.repaired ?? false,
      ],
    );
    return rows.length > 0;
  }

  /** The entry of one intent, if it has one. */
  async get(idempotencyKey: string): Promise<StoredAuditEntry | undefined> {
    const { rows } = await this.db.query<AuditRow>(`SELECT * FROM keel_audit WHERE idempotency_key = $1`, [idempotencyKey]);
    return rows[0] && stored(rows[0]);
  }

  /** A session's entries, oldest first. */
  async entries(filter: { sessionId: string }): Promise<StoredAuditEntry[]> {
    const { rows } = await this.db.query<AuditRow>(`SELECT * FROM keel_audit WHERE session_id = $1 ORDER BY at, idempotency_key`, [filter.sessionId]);
    return rows.map(stored);
  }

  /** Records that the worker's audit log has the entry too. */
  async markMirrored(idempotencyKey: string): Promise<void> {
    await this.db.query(`UPDATE keel_audit SET mirrored_at = now() WHERE idempotency_key = $1 AND mirrored_at IS NULL`, [idempotencyKey]);
  }
}

function stored(row: AuditRow): StoredAuditEntry {
  const entry: AuditEntry = {
    atIso: new Date(row.at).toISOString(),
    sessionId: row.session_id,
    tenant: row.tenant,
    agent: row.agent,
    tool: row.tool,
    tier: row.tier,
    input: row.input,
    idempotencyKey: row.idempotency_key,
    ok: row.ok,
    resultRef: row.result_ref,
    ...(row.approved_by !== null ? { approvedBy: row.approved_by } : {}),
    ...(row.approval_sender !== null ? { approvalSender: row.approval_sender } : {}),
  };
  return { entry, repaired: row.repaired, mirrored: row.mirrored_at !== null };
}
