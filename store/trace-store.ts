import { TRACE_RECORD_SCHEMA_VERSION, type SessionTraceRecord } from '../core/trace-schema';
import type { SqlDatabase } from './sql-database';
import { addColumnIfMissing, createIndexIfMissing } from './guarded-ddl';

/** The trace store's table (idempotent DDL). */
export const TRACE_STORE_SQL = `
CREATE TABLE IF NOT EXISTS keel_session_traces (
  session_id text PRIMARY KEY,
  agent text NOT NULL,
  tenant text NOT NULL,
  outcome text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  result jsonb NOT NULL,
  events jsonb NOT NULL
);
${createIndexIfMissing('keel_session_traces_agent_ended', 'keel_session_traces (agent, ended_at)')}
-- Version of the record's shape; rows archived before versions existed read as 0.
${addColumnIfMissing('keel_session_traces', 'schema_version', 'integer NOT NULL DEFAULT 0')}`;

/**
 * Finished sessions' traces in PostgreSQL, kept as long as you keep them: they outlive Temporal's
 * history retention.
 */
export class TraceStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Creates the table if it is missing. */
  async migrate(): Promise<void> {
    await this.db.exec(TRACE_STORE_SQL);
  }

  /**
   * Saves a finished session's trace, as the current schema version (saving it again replaces it:
   * archiving is idempotent).
   */
  async save(record: SessionTraceRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO keel_session_traces (session_id, agent, tenant, outcome, started_at, ended_at, result, events, schema_version)
       VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), $7, $8, $9)
       ON CONFLICT (session_id) DO UPDATE SET outcome = EXCLUDED.outcome, ended_at = EXCLUDED.ended_at,
         result = EXCLUDED.result, events = EXCLUDED.events, schema_version = EXCLUDED.schema_version`,
      [record.sessionId, record.agent, record.tenant, record.outcome, record.startedAtMs, record.endedAtMs, JSON.stringify(record.result), JSON.stringify(record.events), TRACE_RECORD_SCHEMA_VERSION],
    );
  }

  /** The archived trace of a session with its schema version (0 for rows archived before versions existed), or undefined. */
  async get(sessionId: string): Promise<SessionTraceRecord | undefined> {
    const { rows } = await this.db.query<{
      session_id: string;
      agent: string;
      tenant: string;
      outcome: string;
      started_ms: string;
      ended_ms: string;
      result: Record<string, unknown> | string;
      events: SessionTraceRecord['events'] | string;
      schema_version: number;
    }>(
      `SELECT session_id, agent, tenant, outcome, (extract(epoch FROM started_at) * 1000)::bigint::text AS started_ms,
              (extract(epoch FROM ended_at) * 1000)::bigint::text AS ended_ms, result, events, schema_version
       FROM keel_session_traces WHERE session_id = $1`,
      [sessionId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
    return {
      schemaVersion: row.schema_version as 0 | typeof TRACE_RECORD_SCHEMA_VERSION,
      sessionId: row.session_id,
      agent: row.agent,
      tenant: row.tenant,
      outcome: row.outcome,
      startedAtMs: Number(row.started_ms),
      endedAtMs: Number(row.ended_ms),
      result: parse(row.result),
      events: parse(row.events),
    };
  }
}
