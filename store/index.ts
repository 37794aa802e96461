export { ContentNotFoundError, type ContentStore } from './content-store';
export { FileContentStore } from './file-content-store';
export { FileAuditLog, type AuditEntry, type AuditLog } from './audit-log';
