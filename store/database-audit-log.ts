import type { AuditEntry, AuditLog } from './audit-log';
import { AuditTable } from './audit-table';
import type { SqlDatabase } from './sql-database';

/**
 * The audit log of a worker with a database: the `keel_audit` table itself, no file. With the
 * idempotency ledger the entry is already there (written with the ledger's completion), so
 * `record` finds it and writes nothing; without the ledger it inserts the entry once (keyed by the
 * idempotency key). Nothing on the worker's disk is needed, so workers on different hosts share
 * one audit.
 */
export class DatabaseAuditLog implements AuditLog {
  private readonly table: AuditTable;

  constructor(private readonly db: SqlDatabase) {
    this.table = new AuditTable(db);
  }

  async record(entry: AuditEntry): Promise<void> {
    await AuditTable.insert(this.db, entry);
  }

  async has(idempotencyKey: string): Promise<boolean> {
    return (await this.table.get(idempotencyKey)) !== undefined;
  }
}
