import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { SessionRequest } from '../core/session';
import type { agentSession } from './agent-session';
import { traceArchiveActivities } from './session-activities-proxies';
import type { HasPatch } from './session-patches';
import type { SessionCarryOver } from './session-state';

/** Patch id: runs recorded before it carried the whole trace to the next run (they still replay). */
const TRACE_BY_REFERENCE = 'trace-by-reference';

/** Whether this run should hand over to a new one: Temporal suggests it, or the history reached the request's bound (and no handler is running). */
export function shouldContinueAsNew(request: SessionRequest): boolean {
  const info = workflowInfo();
  return (info.continueAsNewSuggested || info.historyLength >= request.maxHistoryEventsPerRun) && allHandlersFinished();
}

/**
 * Continues the session as a new run. The trace of the run that ends goes to the content store, so
 * what passes to the next run stays small however long the session gets.
 */
export async function continueSession(request: SessionRequest, carry: SessionCarryOver, hasPatch: HasPatch): Promise<never> {
  await condition(allHandlersFinished);
  carry.trace.push({ type: 'continued_as_new', atMs: Date.now(), run: carry.run + 1, historyEvents: workflowInfo().historyLength });
  if (!hasPatch(TRACE_BY_REFERENCE)) return continueAsNew<typeof agentSession>(request, { ...carry, run: carry.run + 1 });
  const segment = await traceArchiveActivities.storeTraceSegment.executeWithOptions({ summary: `trace of run ${carry.run}` }, [carry.trace, request.scope.tenant]);
  return continueAsNew<typeof agentSession>(request, {
    ...carry,
    run: carry.run + 1,
    trace: [],
    earlierTraces: [...(carry.earlierTraces ?? []), segment],
  });
}
