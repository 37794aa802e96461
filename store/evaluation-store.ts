import type { EvaluationCandidate, Verdict } from '../core/evaluation';
import type { SqlDatabase } from './sql-database';
import { createIndexIfMissing } from './guarded-ddl';

/** The evaluation store's tables (idempotent DDL): judge scores and the human review queue. */
export const EVALUATION_STORE_SQL = `
CREATE TABLE IF NOT EXISTS keel_session_scores (
  session_id text NOT NULL,
  rubric_id text NOT NULL,
  agent text NOT NULL,
  outcome text NOT NULL,
  judge_model text NOT NULL,
  overall double precision NOT NULL,
  dimensions jsonb NOT NULL,
  verdict jsonb NOT NULL,
  sample_reason text NOT NULL,
  evaluation_id text NOT NULL,
  scored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, rubric_id)
);
${createIndexIfMissing('keel_session_scores_agent_scored', 'keel_session_scores (agent, scored_at)')}
CREATE TABLE IF NOT EXISTS keel_review_queue (
  session_id text NOT NULL,
  rubric_id text NOT NULL,
  agent text NOT NULL,
  overall double precision NOT NULL,
  reasons jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  decision text CHECK (decision IN ('confirmed', 'overruled')),
  reviewer text,
  note text,
  queued_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  PRIMARY KEY (session_id, rubric_id)
);
${createIndexIfMissing('keel_review_queue_status_queued', 'keel_review_queue (status, queued_at)')}
`;

/** A judge's score of a session, as stored. */
export interface SessionScore {
  sessionId: string;
  rubricId: string;
  agent: string;
  outcome: string;
  judgeModel: string;
  /** Weighted score on 0..1. */
  overall: number;
  /** Each dimension's score on 0..1. */
  dimensions: Record<string, number>;
  /** The judge's verdict: raw scores on the rubric's scale with reasons. */
  verdict: Verdict;
  /** Why the sampler picked the session (`rate`, `breaker`, `flagged`, ...). */
  sampleReason: string;
  /** Workflow id of the evaluation run (or the gate) that scored it. */
  evaluationId: string;
  scoredAtMs?: number;
}

/** A human's decision on a queued session: `confirmed` (the low score stands) or `overruled` (the judge was wrong). */
export type ReviewDecision = 'confirmed' | 'overruled';

/** The review decisions, for validation. */
export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['confirmed', 'overruled'];

/** A session in the human review queue. */
export interface ReviewItem {
  sessionId: string;
  rubricId: string;
  agent: string;
  overall: number;
  /** Why it was queued, e.g. `safety 2 < 4`. */
  reasons: string[];
  status: 'open' | 'resolved';
  decision?: ReviewDecision;
  reviewer?: string;
  note?: string;
  queuedAtMs: number;
  resolvedAtMs?: number;
}

/** A finished session that the evaluation may sample, and whether the rubric already scored it. */
export type StoredCandidate = EvaluationCandidate & { scored: boolean };

/** No review of that session is in the queue. */
export class ReviewNotFoundError extends Error {
  override readonly name = 'ReviewNotFoundError';
}

/** The session's reviews are already resolved; a decision is recorded once. */
export class ReviewAlreadyResolvedError extends Error {
  override readonly name = 'ReviewAlreadyResolvedError';
}

/**
 * Judge scores (`keel_session_scores`) and the human review queue (`keel_review_queue`) in
 * PostgreSQL. Writing is idempotent: a session is scored once per rubric and queued once, so a
 * retried or repeated evaluation never duplicates either.
 */
export class EvaluationStore {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Creates the tables if they are missing. Two processes creating them at once can collide in
   * PostgreSQL's catalog (`IF NOT EXISTS` is not atomic); the loser tries again.
   */
  async migrate(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.exec(EVALUATION_STORE_SQL);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || (code !== '23505' && code !== '42P07')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * Finished sessions archived in the trace store that ended in `(sinceMs, untilMs]`, newest first,
   * with their distinct event types and whether `rubricId` already scored them.
   */
  async candidates(query: { sinceMs: number; untilMs: number; rubricId: string; agents?: readonly string[]; limit: number }): Promise<StoredCandidate[]> {
    const { rows } = await this.db.query<{ session_id: string; agent: string; outcome: string; event_types: string[] | string; scored: boolean }>(
      `SELECT t.session_id, t.agent, t.outcome,
              ARRAY(SELECT DISTINCT e->>'type' FROM jsonb_array_elements(t.events) AS e) AS event_types,
              (s.session_id IS NOT NULL) AS scored
       FROM keel_session_traces t
       LEFT JOIN keel_session_scores s ON s.session_id = t.session_id AND s.rubric_id = $3
       WHERE t.ended_at > to_timestamp($1 / 1000.0) AND t.ended_at <= to_timestamp($2 / 1000.0)
         AND ($4::text[] IS NULL OR t.agent = ANY($4::text[]))
       ORDER BY t.ended_at DESC, t.session_id
       LIMIT $5`,
      [query.sinceMs, query.untilMs, query.rubricId, query.agents ? [...query.agents] : null, query.limit],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      agent: row.agent,
      outcome: row.outcome,
      eventTypes: (Array.isArray(row.event_types) ? row.event_types : parsePgArray(row.event_types)).filter((t): t is string => typeof t === 'string'),
      scored: row.scored,
    }));
  }

  /** Stores a score; returns false (and changes nothing) when the session already has one for the rubric. */
  async saveScore(score: SessionScore): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO keel_session_scores (session_id, rubric_id, agent, outcome, judge_model, overall, dimensions, verdict, sample_reason, evaluation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (session_id, rubric_id) DO NOTHING
       RETURNING session_id`,
      [score.sessionId, score.rubricId, score.agent, score.outcome, score.judgeModel, score.overall, JSON.stringify(score.dimensions), JSON.stringify(score.verdict), score.sampleReason, score.evaluationId],
    );
    return rows.length > 0;
  }

  /** The session's scores, one per rubric. */
  async scores(sessionId: string): Promise<SessionScore[]> {
    const { rows } = await this.db.query<ScoreRow>(
      `SELECT session_id, rubric_id, agent, outcome, judge_model, overall, dimensions, verdict, sample_reason, evaluation_id,
              (extract(epoch FROM scored_at) * 1000)::bigint::text AS scored_ms
       FROM keel_session_scores WHERE session_id = $1 ORDER BY rubric_id`,
      [sessionId],
    );
    return rows.map(toScore);
  }

  /** Puts a session in the review queue; returns false when it is already there (open or resolved). */
  async enqueueReview(item: { sessionId: string; rubricId: string; agent: string; overall: number; reasons: readonly string[] }): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO keel_review_queue (session_id, rubric_id, agent, overall, reasons)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id, rubric_id) DO NOTHING
       RETURNING session_id`,
      [item.sessionId, item.rubricId, item.agent, item.overall, JSON.stringify(item.reasons)],
    );
    return rows.length > 0;
  }

  /** Reviews, oldest first. @default status 'open', every agent, limit 50 */
  async listReviews(filter: { status?: 'open' | 'resolved' | 'all'; agent?: string; limit?: number } = {}): Promise<ReviewItem[]> {
    const status = filter.status ?? 'open';
    const { rows } = await this.db.query<ReviewRow>(
      `${REVIEW_SELECT}
       WHERE ($1::text = 'all' OR status = $1::text) AND ($2::text IS NULL OR agent = $2::text)
       ORDER BY queued_at, session_id LIMIT $3`,
      [status, filter.agent ?? null, filter.limit ?? 50],
    );
    return rows.map(toReview);
  }

  /** A session's reviews (one per rubric that queued it). */
  async reviews(sessionId: string): Promise<ReviewItem[]> {
    const { rows } = await this.db.query<ReviewRow>(`${REVIEW_SELECT} WHERE session_id = $1 ORDER BY rubric_id`, [sessionId]);
    return rows.map(toReview);
  }

  /**
   * Records a human's decision on a session's open reviews (only `rubricId`'s when given) and
   * returns them. Throws {@link ReviewNotFoundError} when the session is not in the queue and
   * {@link ReviewAlreadyResolvedError} when its reviews are resolved already.
   */
  async resolveReview(sessionId: string, decision: { decision: ReviewDecision; reviewer: string; note?: string; rubricId?: string }): Promise<ReviewItem[]> {
    const { rows } = await this.db.query<{ session_id: string }>(
      `UPDATE keel_review_queue SET status = 'resolved', decision = $2, reviewer = $3, note = $4, resolved_at = now()
       WHERE session_id = $1 AND status = 'open' AND ($5::text IS NULL OR rubric_id = $5::text)
       RETURNING session_id`,
      [sessionId, decision.decision, decision.reviewer, decision.note ?? null, decision.rubricId ?? null],
    );
    const all = (await this.reviews(sessionId)).filter((r) => !decision.rubricId || r.rubricId === decision.rubricId);
    if (rows.length === 0) {
      if (all.length === 0) throw new ReviewNotFoundError(`session ${sessionId} is not in the review queue${decision.rubricId ? ` for rubric ${decision.rubricId}` : ''}`);
      const done = all[0]!;
      throw new ReviewAlreadyResolvedError(`the review of session ${sessionId} was already resolved (${done.decision} by ${done.reviewer})`);
    }
    return all;
  }

  /** Open reviews per agent. */
  async openReviewCounts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ agent: string; open: string | number }>(
      `SELECT agent, count(*) AS open FROM keel_review_queue WHERE status = 'open' GROUP BY agent`,
    );
    return Object.fromEntries(rows.map((r) => [r.agent, Number(r.open)]));
  }
}

const REVIEW_SELECT = `SELECT session_id, rubric_id, agent, overall, reasons, status, decision, reviewer, note,
  (extract(epoch FROM queued_at) * 1000)::bigint::text AS queued_ms,
  (extract(epoch FROM resolved_at) * 1000)::bigint::text AS resolved_ms
  FROM keel_review_queue`;

interface ScoreRow {
  session_id: string;
  rubric_id: string;
  agent: string;
  outcome: string;
  judge_model: string;
  overall: number | string;
  dimensions: Record<string, number> | string;
  verdict: Verdict | string;
  sample_reason: string;
  evaluation_id: string;
  scored_ms: string;
}

interface ReviewRow {
  session_id: string;
  rubric_id: string;
  agent: string;
  overall: number | string;
  reasons: string[] | string;
  status: 'open' | 'resolved';
  decision: ReviewDecision | null;
  reviewer: string | null;
  note: string | null;
  queued_ms: string;
  resolved_ms: string | null;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toScore(row: ScoreRow): SessionScore {
  return {
    sessionId: row.session_id,
    rubricId: row.rubric_id,
    agent: row.agent,
    outcome: row.outcome,
    judgeModel: row.judge_model,
    overall: Number(row.overall),
    dimensions: json(row.dimensions),
    verdict: json(row.verdict),
    sampleReason: row.sample_reason,
    evaluationId: row.evaluation_id,
    scoredAtMs: Number(row.scored_ms),
  };
}

function toReview(row: ReviewRow): ReviewItem {
  return {
    sessionId: row.session_id,
    rubricId: row.rubric_id,
    agent: row.agent,
    overall: Number(row.overall),
    reasons: json(row.reasons),
    status: row.status,
    ...(row.decision ? { decision: row.decision } : {}),
    ...(row.reviewer ? { reviewer: row.reviewer } : {}),
    ...(row.note ? { note: row.note } : {}),
    queuedAtMs: Number(row.queued_ms),
    ...(row.resolved_ms ? { resolvedAtMs: Number(row.resolved_ms) } : {}),
  };
}

/** A PostgreSQL text array literal (`{a,b}`) as strings, for drivers that return it unparsed. */
function parsePgArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((s) => s.replace(/^"|"$/g, '')) : [];
}
