import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/session-activities';
import { createDriftState, observeSession, type DriftOptions, type DriftState } from '../core/drift-detector';
import { createScoreDriftState, observeScore, type ScoreDriftState } from '../core/evaluation/score-drift';
import {
  KEPT_ALERTS,
  monitorStatusQuery,
  sessionScoreSignal,
  sessionSummarySignal,
  type MonitoredSession,
  type MonitorScoreOptions,
  type MonitorStatus,
  type ScoredSession,
} from './api';

/** Argument of the monitor (and of each of its runs after continue-as-new). */
export interface MonitorInput {
  agent: string;
  options?: Partial<DriftOptions>;
  /** Signals handled per run before it continues as new. @default 1000 */
  sessionsPerRun?: number;
  /** Options of the judge-score drift detector (core/evaluation/score-drift). */
  scoreOptions?: MonitorScoreOptions;
  carried?: {
    state: DriftState;
    alerts: MonitorStatus['alerts'];
    sessionsObserved: number;
    /** Judge-score drift, once the first score arrived. */
    scores?: { state: ScoreDriftState; observed: number; recent: string[] };
  };
}

/** Scored sessions remembered to ignore a repeated delivery of the same score. */
const REMEMBERED_SCORES = 1000;


const { deliverAlert } = proxyActivities<SessionActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

/**
 * A durable monitor of one agent's behaviour: it receives every finished session's summary, keeps
 * robust baselines (core/drift-detector) and delivers an alert to the worker's alert sinks when a
 * metric drifts for a sustained run of sessions. It continues as new so that it can run for months.
 */
export async function agentMonitor(input: MonitorInput): Promise<never> {
  const state = input.carried?.state ?? createDriftState(input.options ?? {});
  // A state carried from before work adjustment existed upgrades at the start of a new run only.
  if (state.options.adjustForWork === undefined && patched('drift-adjust-for-work')) state.options.adjustForWork = input.options?.adjustForWork ?? true;
  const alerts = input.carried?.alerts ?? [];
  let sessionsObserved = input.carried?.sessionsObserved ?? 0;
  const pending: MonitoredSession[] = [];
  let handledThisRun = 0;
  // Judge scores (from the online evaluation): only histories that received a score take these paths.
  let scores = input.carried?.scores;
  const pendingScores: ScoredSession[] = [];

  setHandler(sessionSummarySignal, (summary) => {
    pending.push(summary);
  });
  setHandler(sessionScoreSignal, (scored) => {
    pendingScores.push(scored);
  });
  setHandler(monitorStatusQuery, () => ({ agent: input.agent, sessionsObserved, alerts, ...(scores ? { scoresObserved: scores.observed } : {}) }));

  const raise = async (alert: MonitorStatus['alerts'][number]) => {
    alerts.push(alert);
    if (alerts.length > KEPT_ALERTS) alerts.shift();
    await deliverAlert({ agent: input.agent, alert });
  };

  const perRun = input.sessionsPerRun ?? 1000;
  for (;;) {
    await condition(() => pending.length > 0 || pendingScores.length > 0 || handledThisRun >= perRun || workflowInfo().continueAsNewSuggested);
    while (pending.length > 0) {
      const summary = pending.shift()!;
      sessionsObserved += 1;
      handledThisRun += 1;
      for (const alert of observeSession(state, summary)) {
        const entry = { ...alert, sessionId: summary.sessionId, atMs: Date.now() };
        alerts.push(entry);
        if (alerts.length > KEPT_ALERTS) alerts.shift();
        await deliverAlert({ agent: input.agent, alert: entry });
      }
    }
    while (pendingScores.length > 0) {
      const scored = pendingScores.shift()!;
      handledThisRun += 1;
      scores ??= { state: scoreDetector(scored.detector ?? input.scoreOptions), observed: 0, recent: [] };
      const key = `${scored.sessionId}/${scored.rubricId}`;
      if (scores.recent.includes(key)) continue; // delivered again (a retried activity)
      scores.recent.push(key);
      if (scores.recent.length > REMEMBERED_SCORES) scores.recent.shift();
      scores.observed += 1;
      for (const alert of observeScore(scores.state, scored.overall)) await raise({ ...alert, sessionId: scored.sessionId, atMs: Date.now() });
    }
    if (handledThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (pending.length > 0 || pendingScores.length > 0) continue;
      await continueAsNew<typeof agentMonitor>({ ...input, carried: { state, alerts, sessionsObserved, ...(scores ? { scores } : {}) } });
    }
  }
}

/** A score drift detector with the given options, or the defaults when they are invalid (a bad option must not stall the monitor). */
function scoreDetector(options: MonitorScoreOptions | undefined): ScoreDriftState {
  try {
    return createScoreDriftState(options ?? {});
  } catch {
    return createScoreDriftState({});
  }
}
