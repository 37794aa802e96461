import { ScopeViolationError } from '../core/tool';
import type { AuditEntry } from './audit-log';
import { AUDIT_TABLE_SQL, AuditTable, type StoredAuditEntry } from './audit-table';
import type { SqlDatabase } from './sql-database';
import { addColumnIfMissing, createIndexIfMissing } from './guarded-ddl';

/**
 * The ledger's table (idempotent DDL). `tenant` is the tenant of the session that claimed the key
 * (NULL on rows written before it was recorded).
 */
export const IDEMPOTENCY_LEDGER_SQL = `
CREATE TABLE IF NOT EXISTS keel_idempotency (
  key text PRIMARY KEY,
  session_id text NOT NULL,
  tool text NOT NULL,
  status text NOT NULL CHECK (status IN ('claimed', 'completed')),
  holder text NOT NULL,
  lease_until timestamptz NOT NULL,
  result text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
${addColumnIfMissing('keel_idempotency', 'tenant', 'text')}${createIndexIfMissing('keel_idempotency_session_tool', 'keel_idempotency (session_id, tool)')}`;

/** Another attempt holds the claim on this key and its lease has not run out: retry later. */
export class IdempotencyClaimHeldError extends Error {
  override readonly name = 'IdempotencyClaimHeldError';
  constructor(readonly key: string) {
    super(`another attempt is applying "${key}" and its lease is still valid; retry after the lease runs out`);
  }
}

/** What {@link IdempotencyLedger.apply} did. */
export interface LedgerOutcome {
  result: string;
  /** True when the intent had been applied before and the stored result was returned. */
  replayed: boolean;
  /**
   * With an `audit` builder: the intent's audit entry in `keel_audit` (exactly one per applied
   * intent); `writtenNow` when this call wrote it. Absent only when this attempt lost its claim to
   * another attempt that has not completed yet (that one writes it).
   */
  audit?: StoredAuditEntry & { writtenNow: boolean };
}

/**
 * Applies each side-effecting intent once: claim the key, apply, store the result. The same key
 * again returns the stored result; a claim whose holder died is taken over once its lease runs out
 * (the tool gets the same key, so the backend it calls can deduplicate what the dead holder did).
 *
 * Rows are bound to their tenant. The same intent (session id, tool and input digest: the last 64
 * characters of its key, see `intentKey`) already claimed by a session of another tenant is a scope
 * violation: {@link ScopeViolationError}, nothing is applied and nothing of the other row returned.
 */
export class IdempotencyLedger {
  /** The audit entries the ledger writes with its completions. */
  readonly auditTable: AuditTable;

  constructor(private readonly db: SqlDatabase) {
    this.auditTable = new AuditTable(db);
  }

  /** Creates the ledger's and the audit's tables if they are missing. */
  async migrate(): Promise<void> {
    await this.db.exec(IDEMPOTENCY_LEDGER_SQL);
    await this.db.exec(AUDIT_TABLE_SQL);
  }

  /**
   * @param holder who applies it now (an attempt id); renews its lease through `renew`.
   * @param leaseMs how long the claim holds without renewal.
   * @param audit builds the intent's audit entry from its result. The entry is inserted in the
   *   transaction that marks the intent completed, so a crash leaves either both or neither; an
   *   intent found completed without one (before the audit table existed) gets it on this replay.
   */
  async apply(
    key: string,
    meta: { sessionId: string; tenant: string; tool: string; holder: string; leaseMs: number },
    effect: (renew: () => Promise<void>) => Promise<string>,
    audit?: (result: string) => Promise<AuditEntry>,
  ): Promise<LedgerOutcome> {
    const lease = `${meta.leaseMs} milliseconds`;
    const foreign = await this.db.query(
      `SELECT 1 FROM keel_idempotency
       WHERE session_id = $1 AND tool = $2 AND right(key, 64) = right($3, 64) AND tenant IS NOT NULL AND tenant <> $4 LIMIT 1`,
      [meta.sessionId, meta.tool, key, meta.tenant],
    );
    if (foreign.rows.length > 0) throw otherTenantsIntent(meta.tool);
    const inserted = await this.db.query(
      `INSERT INTO keel_idempotency (key, session_id, tenant, tool, status, holder, lease_until)
       VALUES ($1, $2, $3, $4, 'claimed', $5, now() + $6::interval) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, meta.sessionId, meta.tenant, meta.tool, meta.holder, lease],
    );
    if (inserted.rows.length === 0) {
      const existing = await this.db.query<{ status: string; result: string | null; tenant: string | null }>(
        `SELECT status, result, tenant FROM keel_idempotency WHERE key = $1`,
        [key],
      );
      const row = existing.rows[0];
      if (row?.tenant != null && row.tenant !== meta.tenant) throw otherTenantsIntent(meta.tool);
      if (row?.status === 'completed') {
        const result = row.result ?? '';
        return { result, replayed: true, ...(audit ? { audit: await this.repairedAudit(key, result, audit) } : {}) };
      }
      const taken = await this.db.query(
        `UPDATE keel_idempotency SET holder = $2, lease_until = now() + $3::interval
         WHERE key = $1 AND status = 'claimed' AND (lease_until < now() OR holder = $2) RETURNING key`,
        [key, meta.holder, lease],
      );
      if (taken.rows.length === 0) throw new IdempotencyClaimHeldError(key);
    }
    const renew = async () => {
      await this.db.query(`UPDATE keel_idempotency SET lease_until = now() + $3::interval WHERE key = $1 AND holder = $2`, [
        key,
        meta.holder,
        lease,
      ]);
    };
    let result: string;
    try {
      result = await effect(renew);
    } catch (error) {
      // Nothing was applied (the tool failed): release the claim so that the intent can be tried again.
      await this.db.query(`DELETE FROM keel_idempotency WHERE key = $1 AND holder = $2 AND status = 'claimed'`, [key, meta.holder]);
      throw error;
    }
    const entry = audit && (await audit(result));
    const audited = await this.db.transaction(async (tx) => {
      const completed = await tx.query(
        `UPDATE keel_idempotency SET status = 'completed', result = $3, completed_at = now() WHERE key = $1 AND holder = $2 RETURNING key`,
        [key, meta.holder, result],
      );
      // A holder that lost its claim completes nothing: the attempt that took it over writes the entry.
      return entry !== undefined && completed.rows.length > 0 && (await AuditTable.insert(tx, entry));
    });
    if (!entry) return { result, replayed: false };
    const stored = audited ? { entry, repaired: false, mirrored: false } : await this.auditTable.get(key);
    return { result, replayed: false, ...(stored ? { audit: { ...stored, writtenNow: audited } } : {}) };
  }

  /** The audit entry of a completed intent, written now if it has none (completed before the audit table existed). */
  private async repairedAudit(key: string, result: string, audit: (result: string) => Promise<AuditEntry>): Promise<StoredAuditEntry & { writtenNow: boolean }> {
    const found = await this.auditTable.get(key);
    if (found) return { ...found, writtenNow: false };
    const writtenNow = await AuditTable.insert(this.db, await audit(result), { repaired: true });
    return { ...(await this.auditTable.get(key))!, writtenNow };
  }
}

/** What the model is told of an intent claimed in another tenant: no more than that it is out of scope. */
function otherTenantsIntent(tool: string): ScopeViolationError {
  return new ScopeViolationError(`this "${tool}" call is outside this session's scope`);
}
