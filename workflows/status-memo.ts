import { upsertMemo } from '@temporalio/workflow';
import { STATUS_MEMO_KEY, statusMemoOf } from '../core/status-memo';
import type { SessionStatus } from '../core/session';

/** Patch id: runs recorded before it kept no status snapshot in their memo (they still replay). */
export const STATUS_MEMO_PATCH = 'status-memo';

/**
 * Keeps the session's status in its memo (see `core/status-memo.ts`): called at every state change,
 * so what a session waits for is readable with `describe()` while no worker runs.
 */
export function publishStatusMemo(status: SessionStatus, nowMs: number): void {
  upsertMemo({ [STATUS_MEMO_KEY]: statusMemoOf(status, nowMs) });
}
