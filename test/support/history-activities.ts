import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The types of the activities a history scheduled through the server, in order. */
export function scheduledActivityTypes(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
}

/** The types of the local activities a history recorded (one marker each), in order. */
export function localActivityTypes(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    const type = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
    return [type ?? '(unknown)'];
  });
}

/** The result payload of the first local activity of `type` in a history (its marker's `result`). */
export function localActivityResult(events: readonly HistoryEvent[], type: string): temporal.api.common.v1.IPayload | undefined {
  const types = localActivityTypes(events);
  const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  const at = types.indexOf(type);
  return at < 0 ? undefined : markers[at]!.markerRecordedEventAttributes!.details?.result?.payloads?.[0];
}
