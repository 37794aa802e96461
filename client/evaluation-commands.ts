import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { RubricSchema, type EvaluationReport, type EvaluationRequestInput } from '../core/evaluation';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { describeRequestIssues } from '../core/session';
import { EvaluationStore, PostgresDatabase, REVIEW_DECISIONS, ReviewAlreadyResolvedError, ReviewNotFoundError, TraceStore, type ReviewDecision, type ReviewItem } from '../store';
import { InvalidEvaluationRequestError, type KeelClient } from './keel-client';

import { UsageError } from './usage-error';

/**
 * The `keel eval` and `keel review` commands (see `USAGE` in cli.ts). Failures that the user can
 * fix are {@link UsageError}s (exit code 2), others propagate.
 */

/** The options of the command line these commands read. */
export interface EvaluationCliValues {
  agent?: string;
  every?: string;
  rate?: string;
  'min-per-stratum'?: string;
  'max-sessions'?: string;
  seed?: string;
  'judge-model'?: string;
  rubric?: string;
  'schedule-id'?: string;
  trigger?: boolean;
  wait?: boolean;
  json?: boolean;
  status?: string;
  limit?: string;
  decision?: string;
  reviewer?: string;
  note?: string;
  database?: string;
  baseline?: string;
  candidate?: string;
  'dev-server'?: boolean;
  'workflow-bundle'?: string;
  address?: string;
  namespace?: string;
}

/** `5m`, `1h`, `30s`, `1500ms` or a number of milliseconds, as milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option} must be a duration like 30s, 15m, 1h or a number of milliseconds, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
  return Math.round(Number(match[1]) * unit);
}

function number(values: EvaluationCliValues, name: 'rate' | 'min-per-stratum' | 'max-sessions' | 'limit'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

/** `keel eval schedule`: creates or updates the evaluation schedule, and with `--trigger` runs it once now. */
export async function runEvalSchedule(client: KeelClient, values: EvaluationCliValues, out: (line: string) => void): Promise<number> {
  const everyMs = values.every ? parseDuration(values.every, 'every') : 3_600_000;
  const rate = number(values, 'rate');
  const minPerStratum = number(values, 'min-per-stratum');
  const maxSessions = number(values, 'max-sessions');
  let rubric: unknown;
  if (values.rubric) {
    let text: string;
    try {
      text = readFileSync(resolve(values.rubric), 'utf8');
    } catch {
      throw new UsageError(`--rubric: cannot read "${values.rubric}"`);
    }
    const parsed = RubricSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new UsageError(`--rubric ${values.rubric}: ${describeRequestIssues(parsed.error)}`);
    rubric = parsed.data;
  }
  const request: EvaluationRequestInput = {
    sampling: {
      ...(rate !== undefined ? { rate } : {}),
      ...(minPerStratum !== undefined ? { minPerStratum } : {}),
      ...(maxSessions !== undefined ? { maxSessions } : {}),
      ...(values.agent ? { agents: values.agent.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
      ...(values.seed ? { seed: values.seed } : {}),
    },
    ...(values['judge-model'] ? { judge: { model: values['judge-model'] } } : {}),
    ...(rubric ? { rubric: rubric as EvaluationRequestInput['rubric'] } : {}),
  };
  let scheduled;
  try {
    scheduled = await client.scheduleEvaluation({ everyMs, request, ...(values['schedule-id'] ? { scheduleId: values['schedule-id'] } : {}) });
  } catch (error) {
    if (error instanceof InvalidEvaluationRequestError) throw new UsageError(error.message);
    throw error;
  }
  out(`schedule ${scheduled.scheduleId} ${scheduled.created ? 'created' : 'updated'}: every ${everyMs} ms on task queue ${client.taskQueue}`);
  if (!values.trigger) return 0;
  const workflowId = await client.triggerEvaluation(scheduled.scheduleId);
  out(`triggered evaluation ${workflowId}`);
  if (values.wait) printReport(await client.evaluationResult(workflowId), values, out);
  return 0;
}

/** Prints an evaluation report: JSON with `--json`, else a summary. */
export function printReport(report: EvaluationReport, values: EvaluationCliValues, out: (line: string) => void): void {
  if (values.json) {
    out(JSON.stringify(report, null, 2));
    return;
  }
  out(`evaluated ${report.judged.length} of ${report.candidates} sessions (${report.alreadyScored} already scored, ${report.capped} over the cap, ${report.failed.length} failed); ${report.queuedForReview} queued for review`);
  for (const s of report.strata) out(`  ${s.agent}/${s.outcome}: ${s.sampled} of ${s.candidates}${s.attention ? ` (${s.attention} needing attention)` : ''}`);
  for (const j of report.judged) out(`  ${j.sessionId} ${j.agent} ${j.outcome} [${j.reason}] score ${j.overall.toFixed(2)}${j.queued ? ' → review' : ''}`);
  for (const f of report.failed) out(`  ${f.sessionId} failed: ${f.error.type}: ${f.error.message}`);
}

/** `keel review list | show | resolve`: the human review queue in the database. */
export async function runReview(rest: string[], values: EvaluationCliValues, out: (line: string) => void): Promise<number> {
  const url = values.database ?? process.env.KEEL_DATABASE_URL;
  if (!url) throw new UsageError('keel review needs the database of the workers: KEEL_DATABASE_URL or --database');
  const action = rest[0];
  if (action !== 'list' && action !== 'show' && action !== 'resolve') throw new UsageError('keel review list | show SESSION | resolve SESSION --decision confirmed|overruled --reviewer A');
  const db = new PostgresDatabase(url, { max: 1 });
  try {
    const store = new EvaluationStore(db);
    await store.migrate();
    const print = (value: unknown) => out(JSON.stringify(value, null, 2));
    if (action === 'list') {
      const status = values.status ?? 'open';
      if (status !== 'open' && status !== 'resolved' && status !== 'all') throw new UsageError(`--status must be open, resolved or all, got "${status}"`);
      const items = await store.listReviews({ status, ...(values.agent ? { agent: values.agent } : {}), limit: number(values, 'limit') ?? 50 });
      if (values.json) print(items);
      else {
        for (const item of items) out(describeReview(item));
        if (items.length === 0) out(`no ${status === 'all' ? '' : `${status} `}reviews`);
      }
      return 0;
    }
    const sessionId = rest[1];
    if (!sessionId) throw new UsageError(`keel review ${action} needs a session id (from keel review list)`);
    if (action === 'show') {
      const [reviews, scores, trace] = await Promise.all([store.reviews(sessionId), store.scores(sessionId), new TraceStore(db).get(sessionId)]);
      if (reviews.length === 0 && scores.length === 0) throw new UsageError(`session ${sessionId} has no scores and is not in the review queue`);
      const summary = trace ? { outcome: trace.outcome, tenant: trace.tenant, output: (trace.result as { output?: unknown }).output ?? null } : undefined;
      if (values.json) print({ sessionId, reviews, scores, ...(summary ? { session: summary } : {}) });
      else {
        for (const review of reviews) out(describeReview(review));
        for (const score of scores) {
          out(`score ${score.overall.toFixed(2)} (rubric ${score.rubricId}, judge ${score.judgeModel}, sampled: ${score.sampleReason})`);
          for (const [dimension, v] of Object.entries(score.verdict.scores)) out(`  ${dimension} ${v.score}: ${v.reason}`);
          if (score.verdict.summary) out(`  summary: ${score.verdict.summary}`);
        }
        if (summary) out(`session: ${summary.outcome}, answer: ${String(summary.output).slice(0, 500)}`);
      }
      return 0;
    }
    const decision = values.decision as ReviewDecision | undefined;
    if (!decision || !REVIEW_DECISIONS.includes(decision)) throw new UsageError(`--decision must be ${REVIEW_DECISIONS.join(' or ')}`);
    if (!values.reviewer) throw new UsageError('--reviewer is required: the queue records who decided');
    try {
      const resolved = await store.resolveReview(sessionId, { decision, reviewer: values.reviewer, ...(values.note ? { note: values.note } : {}) });
      if (values.json) print(resolved);
      else out(`resolved ${sessionId}: ${decision} by ${values.reviewer}`);
      return 0;
    } catch (error) {
      if (error instanceof ReviewNotFoundError || error instanceof ReviewAlreadyResolvedError) throw new UsageError(error.message);
      throw error;
    }
  } finally {
    await db.close();
  }
}

function describeReview(item: ReviewItem): string {
  const when = new Date(item.queuedAtMs).toISOString();
  const decided = item.status === 'resolved' ? ` — ${item.decision} by ${item.reviewer}${item.note ? `: ${item.note}` : ''}` : '';
  return `${item.sessionId} ${item.agent} score ${item.overall.toFixed(2)} (${item.reasons.join(', ')}) ${item.status} since ${when}${decided}`;
}
