import { temporal } from '@temporalio/proto';
import { localActivityOf } from '../../client/local-activity-markers';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/**
 * The history a run would have recorded had a query been answered while its local activities ran
 * (all of them, or those of `types`): when an activity finishes before the query's answer, the SDK
 * completes the workflow task with the activity's result marker and forces a new task, in which the
 * code after the activity runs. So each marker ends its workflow task here, and a new task
 * (scheduled, started, completed at the marker's time) carries the commands that followed it.
 * Event ids, and every reference to one, move up accordingly. Returns the history and how many
 * tasks it forced (0: no such marker, the history is returned as it was).
 */
export function withQueryForcedTasks(history: History, options: { types?: readonly string[] } = {}): { history: History; forced: number } {
  const { types } = options;
  const events = temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(history).finish()).events;
  const splitAfter = new Set(
    events.filter((e) => {
      const local = localActivityOf(e);
      return local && (!types || types.includes(local.type ?? ''));
    }).map((e) => Number(e.eventId)),
  );
  if (splitAfter.size === 0) return { history, forced: 0 };
  const splits = [...splitAfter].sort((a, b) => a - b);
  /** An event's id once three events were put after every split before it. */
  const moved = (id: number) => id + 3 * splits.filter((s) => s < id).length;

  const out: HistoryEvent[] = [];
  let lastScheduled: temporal.api.history.v1.IWorkflowTaskScheduledEventAttributes | undefined;
  let lastStarted: temporal.api.history.v1.IWorkflowTaskStartedEventAttributes | undefined;
  /** The completed event that commands after a split belong to now (old completed id → new one). */
  const reassigned = new Map<number, number>();
  for (const event of events) {
    const oldId = Number(event.eventId);
    const completedBy = Number(commandAttributes(event)?.workflowTaskCompletedEventId ?? 0);
    renumber(event, moved);
    event.eventId = int64(moved(oldId));
    const attributes = commandAttributes(event);
    if (attributes && reassigned.has(completedBy)) attributes.workflowTaskCompletedEventId = int64(reassigned.get(completedBy)!);
    if (event.workflowTaskScheduledEventAttributes) lastScheduled = event.workflowTaskScheduledEventAttributes;
    if (event.workflowTaskStartedEventAttributes) lastStarted = event.workflowTaskStartedEventAttributes;
    out.push(event);
    if (!splitAfter.has(oldId)) continue;
    const scheduledId = moved(oldId) + 1;
    const at = { eventTime: event.eventTime, taskId: event.taskId };
    out.push(
      temporal.api.history.v1.HistoryEvent.fromObject({
        ...at,
        eventId: scheduledId,
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        workflowTaskScheduledEventAttributes: { taskQueue: lastScheduled?.taskQueue, startToCloseTimeout: lastScheduled?.startToCloseTimeout, attempt: 1 },
      }),
      temporal.api.history.v1.HistoryEvent.fromObject({
        ...at,
        eventId: scheduledId + 1,
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        workflowTaskStartedEventAttributes: { scheduledEventId: scheduledId, identity: lastStarted?.identity, requestId: `query-forced-${scheduledId}` },
      }),
      temporal.api.history.v1.HistoryEvent.fromObject({
        ...at,
        eventId: scheduledId + 2,
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        workflowTaskCompletedEventAttributes: { scheduledEventId: scheduledId, startedEventId: scheduledId + 1, identity: lastStarted?.identity },
      }),
    );
    if (completedBy) reassigned.set(completedBy, scheduledId + 2);
  }
  return { history: { events: out }, forced: splits.length };
}

/** The attributes of an event a workflow task's command made (they name the task's completed event). */
function commandAttributes(event: HistoryEvent): { workflowTaskCompletedEventId?: unknown } | undefined {
  for (const value of Object.values(event)) {
    if (value && typeof value === 'object' && 'workflowTaskCompletedEventId' in value) return value as { workflowTaskCompletedEventId?: unknown };
  }
  return undefined;
}

/** Moves every event id an event's attributes refer to (`scheduledEventId`, `startedEventId`, ...). */
function renumber(value: unknown, moved: (id: number) => number): void {
  if (!value || typeof value !== 'object') return;
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'eventId' && key.endsWith('EventId') && (typeof field === 'number' || isLong(field))) {
      const id = Number(field);
      if (id > 0) (value as Record<string, unknown>)[key] = int64(moved(id));
    } else if (field && typeof field === 'object' && !(field instanceof Uint8Array) && !isLong(field)) {
      renumber(field, moved);
    }
  }
}

/** An int64 as protobufjs decodes it (a `Long`: `low`, `high`, `unsigned`). */
function isLong(value: unknown): boolean {
  return !!value && typeof value === 'object' && typeof (value as { low?: unknown }).low === 'number' && typeof (value as { high?: unknown }).high === 'number' && typeof (value as { unsigned?: unknown }).unsigned === 'boolean';
}

/** `n` as the int64 protobufjs keeps in decoded messages. */
function int64(n: number) {
  return temporal.api.history.v1.HistoryEvent.fromObject({ eventId: n }).eventId;
}
