import { Context } from '@temporalio/activity';
import type { SessionSummary } from '../core/drift-detector';
import type { TraceEvent } from '../core/trace';
import type { SessionTraceRecord } from '../core/trace-schema';
import type { DeliveredAlert } from '../alerts';
import { AGENT_MONITOR_WORKFLOW, monitorWorkflowId, sessionSummarySignal } from '../workflows/api';
import { contentFailure, type SessionActivityContext } from './session-activity-context';

/** A finished session's record as its last run has it: this run's events, earlier runs' by reference. */
export type SessionEndRecord = Omit<SessionTraceRecord, 'events'> & { events: TraceEvent[]; earlierTraces: string[] };

/** The activities that keep what a session did: its trace segments, its archived record, its monitor's report and alerts. */
export function traceArchiveActivities(ctx: SessionActivityContext) {
  const { store, traces, monitor } = ctx.deps;
  const alertSinks = ctx.deps.alertSinks ?? [];
  return {
    /** Stores the trace events of a run that ends (continue-as-new) and returns their reference. */
    async storeTraceSegment(events: TraceEvent[], tenant?: string): Promise<string> {
      return store.put(JSON.stringify(events), await ctx.tenantOf(tenant));
    },

    /**
     * Records a finished session: archives its whole trace (earlier runs' events resolved from the
     * content store) in the trace store, and reports its summary to its agent's monitor
     * (signal-with-start, so the monitor starts with the first session it hears of). Returns the
     * record it was given, so that the history keeps it (a local activity's input is not recorded,
     * its result is): `keel trace` reads it from there when no worker answers and nothing is archived.
     */
    async recordSessionEnd(input: {
      record: SessionEndRecord;
      summary: SessionSummary;
    }): Promise<SessionEndRecord> {
      if (traces) {
        const earlier: TraceEvent[] = [];
        try {
          for (const ref of input.record.earlierTraces) earlier.push(...(JSON.parse(await store.get(ref, input.record.tenant)) as TraceEvent[]));
        } catch (error) {
          throw contentFailure(error);
        }
        const { earlierTraces: _refs, ...record } = input.record;
        await traces.save({ ...record, events: [...earlier, ...input.record.events] });
      }
      if (monitor) {
        const { client, info } = Context.current();
        const agent = input.record.agent;
        await client.workflow.signalWithStart(AGENT_MONITOR_WORKFLOW, {
          workflowId: monitorWorkflowId(agent, info.taskQueue),
          taskQueue: info.taskQueue,
          args: [{ agent, ...(monitor.options ? { options: monitor.options } : {}) }],
          signal: sessionSummarySignal,
          signalArgs: [{ sessionId: input.record.sessionId, ...input.summary }],
          staticSummary: `behaviour monitor of agent ${agent}`,
        });
      }
      return input.record;
    },

    /** Delivers a monitor's alert to every alert sink. */
    async deliverAlert(input: { agent: string; alert: DeliveredAlert }): Promise<void> {
      for (const sink of alertSinks) await sink.deliver(input.agent, input.alert);
    },
  };
}
