import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/session-activities';
import { createDriftState, observeSession, type DriftOptions, type DriftState } from '../core/drift-detector';
import { KEPT_ALERTS, monitorStatusQuery, sessionSummarySignal, type MonitoredSession, type MonitorStatus } from './api';

/** Argument of the monitor (and of each of its runs after continue-as-new). */
export interface MonitorInput {
  agent: string;
  options?: Partial<DriftOptions>;
  /** Signals handled per run before it continues as new. @default 1000 */
  sessionsPerRun?: number;
  carried?: { state: DriftState; alerts: MonitorStatus['alerts']; sessionsObserved: number };
}


const { deliverAlert } = proxyActivities<SessionActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

/**
 * A durable monitor of one agent's behaviour: it receives every finished session's summary, keeps
 * robust baselines (core/drift-detector) and delivers an alert to the worker's alert sinks when a
 * metric drifts for a sustained run of sessions. It continues as new so that it can run for months.
 */
export async function agentMonitor(input: MonitorInput): Promise<never> {
  const state = input.carried?.state ?? createDriftState(input.options ?? {});
  const alerts = input.carried?.alerts ?? [];
  let sessionsObserved = input.carried?.sessionsObserved ?? 0;
  const pending: MonitoredSession[] = [];
  let handledThisRun = 0;

  setHandler(sessionSummarySignal, (summary) => {
    pending.push(summary);
  });
  setHandler(monitorStatusQuery, () => ({ agent: input.agent, sessionsObserved, alerts }));

  const perRun = input.sessionsPerRun ?? 1000;
  for (;;) {
    await condition(() => pending.length > 0 || handledThisRun >= perRun || workflowInfo().continueAsNewSuggested);
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
    if (handledThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (pending.length > 0) continue;
      await continueAsNew<typeof agentMonitor>({ ...input, carried: { state, alerts, sessionsObserved } });
    }
  }
}
