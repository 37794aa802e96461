import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Temporal's history size warning threshold (dynamic config `limit.historySize.warn`): 10 MiB. */
export const HISTORY_SIZE_WARN_BYTES = 10 * 1024 * 1024;

/** The size of one run's history. */
export interface RunHistorySize {
  runId: string;
  /** Bytes of the run's history, protobuf-encoded as the server stores and sends it. */
  bytes: number;
  events: number;
  /** Activities scheduled in the run, by activity type. */
  activities: Record<string, number>;
  /** Bytes of the run's first event (WorkflowExecutionStarted: its input, and the carry-over of a continued run). */
  startedEventBytes: number;
  /** Bytes of the run's last event when it continued as new (its input is the next run's), else 0. */
  continuedAsNewEventBytes: number;
  /** Bytes of every event, summed by event type (e.g. `ACTIVITY_TASK_COMPLETED`). */
  bytesByEventType: Record<string, number>;
}

/**
 * Measures every run of a workflow execution, following continue-as-new back from the latest run
 * through `continuedExecutionRunId`. Runs are returned oldest first.
 */
export async function measureWorkflowHistory(client: Client, workflowId: string): Promise<RunHistorySize[]> {
  const runs: RunHistorySize[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(measureRun(runId, history));
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs.reverse();
}

function measureRun(runId: string, history: temporal.api.history.v1.IHistory): RunHistorySize {
  const events = history.events ?? [];
  const activities: Record<string, number> = {};
  const bytesByEventType: Record<string, number> = {};
  const eventBytes = (event: temporal.api.history.v1.IHistoryEvent) => temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
  for (const event of events) {
    const type = temporal.api.enums.v1.EventType[event.eventType ?? 0]?.replace(/^EVENT_TYPE_/, '') ?? String(event.eventType);
    bytesByEventType[type] = (bytesByEventType[type] ?? 0) + eventBytes(event);
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) activities[activity] = (activities[activity] ?? 0) + 1;
  }
  const first = events[0];
  const last = events.at(-1);
  return {
    runId,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    events: events.length,
    activities,
    startedEventBytes: first ? eventBytes(first) : 0,
    continuedAsNewEventBytes: last?.workflowExecutionContinuedAsNewEventAttributes ? eventBytes(last) : 0,
    bytesByEventType,
  };
}
