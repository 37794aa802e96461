export { ContentNotFoundError, type ContentStore } from './content-store';
export { FileContentStore } from './file-content-store';
export { FileAuditLog, type AuditEntry, type AuditLog } from './audit-log';
export { IdempotencyClaimHeldError, IdempotencyLedger, IDEMPOTENCY_LEDGER_SQL, type LedgerOutcome } from './idempotency-ledger';
export { SCOPED_ROLE, SCOPED_ROLE_SQL, withScope } from './scoped-transaction';
export { EmbeddedPostgresDatabase, PostgresDatabase, type SqlClient, type SqlDatabase } from './sql-database';
