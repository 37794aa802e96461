export {
  checkContentTenant,
  CONTENT_REF,
  ContentNotFoundError,
  contentRefHex,
  InvalidContentRefError,
  InvalidContentTenantError,
  MAX_TENANT_CHARS,
  type ContentStore,
} from './content-store';
export { DEFAULT_STORE_DIR, defaultFileContentStore, FileContentStore, type FileContentStoreOptions } from './file-content-store';
export { FileAuditLog, type AuditEntry, type AuditLog } from './audit-log';
export { DatabaseAuditLog } from './database-audit-log';
export { ContentCache } from './content-cache';
export { CONTENT_STORE_SQL, PostgresContentStore, type PostgresContentStoreOptions } from './postgres-content-store';
export { ContentCorruptedError, ContentStoreUnavailableError, ContentTooLargeError } from './content-store-errors';
export {
  InvalidS3ContentStoreOptionsError,
  MAX_S3_PREFIX_CHARS,
  S3_CONTENT_STORE_DEFAULTS,
  S3ContentStore,
  type S3ContentStoreOptions,
} from './s3-content-store';
export {
  CONTENT_STORE_KINDS,
  ContentStoreConfigError,
  contentStoreFromEnv,
  contentStoreKindFromEnv,
  openContentStoreFromEnv,
  type ContentStoreKind,
} from './content-store-from-env';
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
