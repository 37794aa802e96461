import type { PayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { SessionTraceRecord } from '../core/trace-schema';
import { localActivityOf } from './local-activity-markers';

/**
 * The record of its end a finished session left in its history: the result of its
 * `recordSessionEnd` local activity (sessions since the `local-bookkeeping` patch), or the input of
 * the scheduled `recordSessionEnd` activity (sessions recorded before it). Undefined when the
 * history has neither (the session has not ended, or ended before recording it).
 */
export function sessionEndRecordIn(events: readonly temporal.api.history.v1.IHistoryEvent[], converter: PayloadConverter): SessionTraceRecord | undefined {
  for (const event of [...events].reverse()) {
    const local = localActivityOf(event);
    if (local?.type === 'recordSessionEnd') return local.result ? (converter.fromPayload(local.result) as SessionTraceRecord) : undefined;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'recordSessionEnd') continue;
    const payload = scheduled.input?.payloads?.[0];
    return payload ? (converter.fromPayload(payload) as { record?: SessionTraceRecord }).record : undefined;
  }
  return undefined;
}
