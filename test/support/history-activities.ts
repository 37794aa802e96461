import type { temporal } from '@temporalio/proto';
import { localActivityOf } from '../../client/local-activity-markers';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The types of the activities a history scheduled through the server, in order. */
export function scheduledActivityTypes(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
}

/** The types of the local activities a history recorded (one marker each), in order. */
export function localActivityTypes(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const local = localActivityOf(e);
    return local ? [local.type ?? '(unknown)'] : [];
  });
}

/**
 * The result payload of the first activity of `type` in a history, scheduled (its completion's
 * `result`) or local (its marker's).
 */
export function activityResult(events: readonly HistoryEvent[], type: string): temporal.api.common.v1.IPayload | undefined {
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === type) {
      const id = Number(e.eventId);
      const completed = events.find((c) => Number(c.activityTaskCompletedEventAttributes?.scheduledEventId ?? 0) === id);
      return completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0] ?? undefined;
    }
    const local = localActivityOf(e);
    if (local?.type === type) return local.result;
  }
  return undefined;
}
