import { appendFile, mkdir, open, type FileHandle } from 'node:fs/promises';
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

/**
 * Where write_reversible and write_critical calls are recorded. With a worker `database` the
 * record of truth is the `keel_audit` table (written with the ledger's completion) and this log is
 * its mirror; without one, this log is the record.
 */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /**
   * Whether the log holds the entry of an intent. A log that answers it is kept exactly-once: an
   * entry whose writing a crash may have interrupted is looked up before it is written again.
   */
  has?(idempotencyKey: string): Promise<boolean>;
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

  /** Reads the file line by line (only after a crash may have interrupted a write: never on the normal path). */
  async has(idempotencyKey: string): Promise<boolean> {
    await this.ready;
    let file: FileHandle;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      for await (const line of file.readLines({ encoding: 'utf8' })) {
        if (!line.includes(idempotencyKey)) continue;
        try {
          if ((JSON.parse(line) as Partial<AuditEntry>).idempotencyKey === idempotencyKey) return true;
        } catch {
          // not an entry (a line cut short)
        }
      }
      return false;
    } finally {
      await file.close().catch(() => undefined);
    }
  }
}
