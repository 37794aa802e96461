export { ContentNotFoundError, type ContentStore } from './content-store';
export { DEFAULT_STORE_DIR, defaultFileContentStore, FileContentStore } from './file-content-store';
export { FileAuditLog, type AuditEntry, type AuditLog } from './audit-log';
export { AUDIT_TABLE_SQL, AuditTable, type StoredAuditEntry } from './audit-table';
export { IdempotencyClaimHeldError, IdempotencyLedger, IDEMPOTENCY_LEDGER_SQL, type LedgerOutcome } from './idempotency-ledger';
export { SCOPED_ROLE, SCOPED_ROLE_SQL, withScope } from './scoped-transaction';
export { EmbeddedPostgresDatabase, PostgresDatabase, type SqlClient, type SqlDatabase } from './sql-database';
export { TraceStore, TRACE_STORE_SQL } from './trace-store';
export {
  EvaluationStore,
  EVALUATION_STORE_SQL,
  REVIEW_DECISIONS,
  ReviewAlreadyResolvedError,
  ReviewNotFoundError,
  type ReviewDecision,
  type ReviewItem,
  type SessionScore,
  type StoredCandidate,
} from './evaluation-store';
export {
  SHARED_TOOL_CACHE_SQL,
  SharedCacheScopeError,
  SharedToolCache,
  type CachePartition,
  type SharedCacheHit,
  type SharedCacheMiss,
  type SharedToolCacheOptions,
} from './shared-tool-cache';
export { ApproverKeyFile, ApproverKeysUnavailableError, StaticApproverKeys, type ApproverKeySource } from './approver-key-file';
