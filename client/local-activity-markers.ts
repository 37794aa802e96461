import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The marker a local activity leaves in the history. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The activity type in a local activity marker's `data` (JSON written by the SDK's core), if it reads. */
export function localActivityType(data: Uint8Array | null | undefined): string | undefined {
  if (!data || data.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown };
    return typeof parsed.activity_type === 'string' ? parsed.activity_type : undefined;
  } catch {
    return undefined;
  }
}

/** The local activity an event's marker records, with its result payload; undefined for any other event. */
export function localActivityOf(event: HistoryEvent): { type: string | undefined; result: temporal.api.common.v1.IPayload | undefined } | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  return { type: localActivityType(marker.details?.data?.payloads?.[0]?.data), result: marker.details?.result?.payloads?.[0] ?? undefined };
}
