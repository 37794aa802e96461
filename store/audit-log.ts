import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One audited tool call: who, what, input, result, session, time. */
export interface AuditEntry {
  atIso: string;
  sessionId: string;
  tenant: string;
  agent: string;
  tool: string;
  tier: string;
  input: unknown;
  idempotencyKey: string;
  ok: boolean;
  resultRef: string;
  /** The human who approved a write_critical call. */
  approvedBy?: string;
  /** The Temporal identity the approval came with, as its sender reported it (a claim, beside the verified approver). */
  approvalSender?: string;
}

/** Where write_reversible and write_critical calls are recorded. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** An audit log as JSON lines in a file (one line per call, appended). */
export class FileAuditLog implements AuditLog {
  private readonly ready: Promise<unknown>;

  constructor(readonly path: string) {
    this.ready = mkdir(dirname(path), { recursive: true });
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.ready;
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, 'utf8');
  }
}
