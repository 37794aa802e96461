import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionMetricEvent } from '../core/session-metrics';

/** The states in which a session waits for a person. */
export const WAITING_STATES = ['awaiting_approval', 'escalated'] as const;
export type WaitingState = (typeof WAITING_STATES)[number];
/** Sessions waiting for a person, per state: how many, and how long the longest-waiting one has waited. */
export type WaitingSessions = Record<WaitingState, { count: number; oldestAgeSeconds: number }>;

/**
 * Keel's Prometheus metrics, in one registry. Names follow Prometheus conventions (base units,
 * `_total` for counters); labels are bounded: agent, model, tool, outcome, limit, decision, never a
 * session id.
 */
export class KeelMetrics {
  readonly registry = new Registry();

  readonly sessions = new Counter({
    name: 'keel_sessions_total',
    help: 'Finished sessions by outcome, including those that failed at start (outcome invalid_request, unknown_agent, approvers_required); success rate: outcome="completed" over all.',
    labelNames: ['agent', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly sessionToolCalls = new Histogram({
    name: 'keel_session_tool_calls',
    help: 'Tool calls per finished session.',
    labelNames: ['agent'] as const,
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144],
    registers: [this.registry],
  });
  readonly sessionTokens = new Histogram({
    name: 'keel_session_tokens',
    help: 'Model tokens (input and output) per finished session.',
    labelNames: ['agent', 'model'] as const,
    buckets: [500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000],
    registers: [this.registry],
  });
  readonly sessionDuration = new Histogram({
    name: 'keel_session_duration_seconds',
    help: 'Active time of finished sessions (p50/p99 from the buckets).',
    labelNames: ['agent', 'outcome'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly sessionCost = new Histogram({
    name: 'keel_session_cost_usd',
    help: 'Cost in USD per finished session.',
    labelNames: ['agent'] as const,
    buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly breakerTrips = new Counter({
    name: 'keel_breaker_trips_total',
    help: 'Circuit-breaker trips by limit.',
    labelNames: ['agent', 'limit'] as const,
    registers: [this.registry],
  });
  readonly escalations = new Counter({
    name: 'keel_escalations_total',
    help: 'Human escalations by how they ended (resume, abort, timeout).',
    labelNames: ['agent', 'action'] as const,
    registers: [this.registry],
  });
  readonly approvals = new Counter({
    name: 'keel_approvals_total',
    help: 'Decisions on write_critical calls (approved, rejected, timeout).',
    labelNames: ['agent', 'tool', 'decision'] as const,
    registers: [this.registry],
  });
  readonly decisionsRefused = new Counter({
    name: 'keel_decisions_refused_total',
    help: 'Decisions refused by sessions (unsigned, wrongly signed, expired, not an approver, stale or malformed), by how they arrived.',
    labelNames: ['agent', 'decision', 'via'] as const,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: 'keel_tool_calls_total',
    help: 'Tool calls executed by a worker, by outcome (ok, error); error rate: outcome="error" over all.',
    labelNames: ['agent', 'tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly toolCacheHits = new Counter({
    name: 'keel_tool_cache_hits_total',
    help: 'Tool calls served from a tool-result cache without running the tool, by level (session: workflow state; shared: the store).',
    labelNames: ['agent', 'tool', 'level'] as const,
    registers: [this.registry],
  });
  readonly toolCacheInvalidations = new Counter({
    name: 'keel_tool_cache_invalidations_total',
    help: 'Shared tool-result cache entries dropped by successful writes, by the write tool.',
    labelNames: ['agent', 'tool'] as const,
    registers: [this.registry],
  });
  readonly guardrailVerdicts = new Counter({
    name: 'keel_guardrail_verdicts_total',
    help: 'Content guardrail verdicts with findings, by checkpoint (tool_output, final_answer), category and the action taken.',
    labelNames: ['agent', 'checkpoint', 'category', 'action'] as const,
    registers: [this.registry],
  });
  readonly scopeViolations = new Counter({
    name: 'keel_scope_violations_total',
    help: 'Tool calls refused for reaching outside the session scope.',
    labelNames: ['agent', 'tool'] as const,
    registers: [this.registry],
  });
  readonly modelCalls = new Counter({
    name: 'keel_model_calls_total',
    help: 'Model calls that returned.',
    labelNames: ['agent', 'model'] as const,
    registers: [this.registry],
  });
  readonly modelTokens = new Counter({
    name: 'keel_model_tokens_total',
    help: 'Model tokens by direction (input, output).',
    labelNames: ['agent', 'model', 'direction'] as const,
    registers: [this.registry],
  });
  readonly cost = new Counter({
    name: 'keel_cost_usd_total',
    help: 'Model cost in USD.',
    labelNames: ['agent', 'model'] as const,
    registers: [this.registry],
  });

  readonly driftAlerts = new Counter({
    name: 'keel_drift_alerts_total',
    help: "Alerts of the agents' behaviour monitors, by metric and direction.",
    labelNames: ['agent', 'metric', 'direction'] as const,
    registers: [this.registry],
  });

  readonly evalScore = new Histogram({
    name: 'keel_eval_score',
    help: 'Judge scores (0..1) of sessions sampled by the online evaluation, by dimension ("overall" is the weighted score).',
    labelNames: ['agent', 'dimension'] as const,
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    registers: [this.registry],
  });
  readonly reviewsQueued = new Counter({
    name: 'keel_reviews_queued_total',
    help: 'Sessions put in the human review queue for low judge scores.',
    labelNames: ['agent'] as const,
    registers: [this.registry],
  });
  /** Where {@link reviewQueueOpen} reads its value at each scrape; set by {@link trackReviewQueue}. */
  private reviewQueueSource?: () => Promise<Record<string, number>>;
  readonly reviewQueueOpen = new Gauge({
    name: 'keel_review_queue_open',
    help: 'Open reviews in the human review queue (read from the database at scrape time).',
    labelNames: ['agent'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.reviewQueueSource) return;
      const counts = await this.reviewQueueSource().catch(() => undefined);
      if (!counts) return;
      this.reviewQueueOpen.reset();
      for (const [agent, open] of Object.entries(counts)) this.reviewQueueOpen.set({ agent }, open);
    },
  });

  /** Where the waiting-session gauges read their values at each scrape; set by {@link trackWaitingSessions}. */
  private waitingSource?: () => Promise<WaitingSessions>;
  /** The waiting sessions, or undefined when untracked or unreadable (the gauges then keep their last values). */
  private readWaiting(): Promise<WaitingSessions | undefined> {
    return this.waitingSource ? this.waitingSource().catch(() => undefined) : Promise.resolve(undefined);
  }
  readonly sessionsWaiting = new Gauge({
    name: 'keel_sessions_waiting',
    help: 'Running sessions waiting for a person, by state (awaiting_approval, escalated), read from Temporal visibility (KeelState) at scrape time.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      const waiting = await this.readWaiting();
      if (!waiting) return;
      for (const state of WAITING_STATES) this.sessionsWaiting.set({ state }, waiting[state].count);
    },
  });
  readonly sessionsWaitingOldest = new Gauge({
    name: 'keel_sessions_waiting_oldest_age_seconds',
    help: 'How long the longest-waiting session of each state has been in it (0 when none waits), from Temporal visibility at scrape time.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      const waiting = await this.readWaiting();
      if (!waiting) return;
      for (const state of WAITING_STATES) this.sessionsWaitingOldest.set({ state }, waiting[state].oldestAgeSeconds);
    },
  });

  /** @param options.processMetrics also collect Node's process metrics (the worker does). @default false */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'keel_worker_' });
  }

  /** Makes `keel_review_queue_open` read the open reviews per agent (e.g. `EvaluationStore.openReviewCounts`) at each scrape. */
  trackReviewQueue(source: () => Promise<Record<string, number>>): void {
    this.reviewQueueSource = source;
  }

  /**
   * Makes `keel_sessions_waiting` and `keel_sessions_waiting_oldest_age_seconds` read the sessions
   * waiting for a person at each scrape (both gauges call it: give a cached source such as
   * `waitingSessionsFromVisibility`).
   */
  trackWaitingSessions(source: () => Promise<WaitingSessions>): void {
    this.waitingSource = source;
  }

  /** Records a judged session's scores: the overall score and each dimension's, on 0..1. */
  recordScores(agent: string, overall: number, dimensions: Record<string, number>): void {
    this.evalScore.observe({ agent, dimension: 'overall' }, overall);
    for (const [dimension, score] of Object.entries(dimensions)) this.evalScore.observe({ agent, dimension }, score);
  }

  /** Records an event reported by the session workflow. */
  record(event: SessionMetricEvent): void {
    switch (event.kind) {
      case 'session_ended':
        this.sessions.inc({ agent: event.agent, outcome: event.outcome });
        this.sessionToolCalls.observe({ agent: event.agent }, event.toolCalls);
        this.sessionTokens.observe({ agent: event.agent, model: event.model }, event.tokens);
        this.sessionDuration.observe({ agent: event.agent, outcome: event.outcome }, event.durationMs / 1000);
        this.sessionCost.observe({ agent: event.agent }, event.costUsd);
        return;
      case 'session_failed_at_start':
        this.sessions.inc({ agent: event.agent, outcome: event.reason });
        return;
      case 'breaker_tripped':
        this.breakerTrips.inc({ agent: event.agent, limit: event.limit });
        return;
      case 'escalation_resolved':
        this.escalations.inc({ agent: event.agent, action: event.action });
        return;
      case 'approval_decided':
        this.approvals.inc({ agent: event.agent, tool: event.tool, decision: event.decision });
        return;
      case 'decision_refused':
        this.decisionsRefused.inc({ agent: event.agent, decision: event.decision, via: event.via });
        return;
      case 'tool_cache_hit':
        this.toolCacheHits.inc({ agent: event.agent, tool: event.tool, level: event.level });
        return;
    }
  }

  /** The metrics in Prometheus' text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
