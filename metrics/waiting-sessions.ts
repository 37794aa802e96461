import type { Client } from '@temporalio/client';
import { KEEL_SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { STATUS_MEMO_KEY } from '../core/status-memo';
import { WAITING_STATES, type WaitingSessions, type WaitingState } from './keel-metrics';

/** Options of {@link waitingSessionsFromVisibility}; every field has a documented default. */
export interface WaitingSessionsOptions {
  /** Only sessions on this task queue (the worker's). @default every Keel session of the namespace */
  taskQueue?: string;
  /**
   * At most this many waiting sessions are listed per state to find the longest-waiting one (the
   * count itself is exact: one count query per state). Listing returns the most recently started
   * first, so beyond this many the age is a lower bound; the backlog alert has fired long before.
   * @default 1000
   */
  maxListed?: number;
  /** A result is reused for this long, so any number of scrapers cost one visibility round per period. @default 15000 */
  cacheMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** The shape of the `keelStatus` memo read here (core/status-memo.ts), every field checked before use. */
interface StatusMemoView {
  state?: unknown;
  atMs?: unknown;
  escalation?: { sinceMs?: unknown } | null;
  pendingApprovals?: Array<{ requestedAtMs?: unknown }>;
}

/** When a session began to wait in `state`, from its status memo: the escalation's start, the oldest pending request, else the state change. */
function waitingSince(memo: unknown, state: WaitingState): number | undefined {
  const view = memo as StatusMemoView | undefined;
  if (!view || typeof view !== 'object' || view.state !== state) return undefined;
  const times =
    state === 'escalated'
      ? [view.escalation?.sinceMs]
      : Array.isArray(view.pendingApprovals)
        ? view.pendingApprovals.map((p) => p?.requestedAtMs)
        : [];
  const known = times.filter((t): t is number => typeof t === 'number');
  if (known.length) return Math.min(...known);
  return typeof view.atMs === 'number' ? view.atMs : undefined;
}

/**
 * Reads the sessions waiting for a person from Temporal visibility: running `agentSession`
 * executions whose `KeelState` is `awaiting_approval` or `escalated`. The age of a waiting session
 * is read from its `keelStatus` memo (the oldest pending approval's request time, the escalation's
 * start, else the last state change), else measured from the start of its current run. Pass the result to `KeelMetrics.trackWaitingSessions`.
 */
export function waitingSessionsFromVisibility(client: Client, options: WaitingSessionsOptions = {}): () => Promise<WaitingSessions> {
  const maxListed = options.maxListed ?? 1000;
  const cacheMs = options.cacheMs ?? 15_000;
  const now = options.now ?? Date.now;
  let cached: { atMs: number; value: Promise<WaitingSessions> } | undefined;

  const read = async (state: WaitingState) => {
    const query = [
      `${KEEL_SEARCH_ATTRIBUTES.state}="${state}"`,
      'ExecutionStatus="Running"',
      'WorkflowType="agentSession"',
      ...(options.taskQueue ? [`TaskQueue="${options.taskQueue.replace(/["\\]/g, '')}"`] : []),
    ].join(' AND ');
    const { count } = await client.workflow.count(query);
    let oldestMs: number | undefined;
    if (count > 0) {
      let listed = 0;
      for await (const execution of client.workflow.list({ query, pageSize: Math.min(maxListed, 1000) })) {
        const since = waitingSince(execution.memo?.[STATUS_MEMO_KEY], state) ?? execution.startTime.getTime();
        oldestMs = oldestMs === undefined ? since : Math.min(oldestMs, since);
        if (++listed >= maxListed) break;
      }
    }
    return { count, oldestAgeSeconds: oldestMs === undefined ? 0 : Math.max(0, (now() - oldestMs) / 1000) };
  };

  return () => {
    const at = now();
    if (!cached || at - cached.atMs >= cacheMs) {
      const value = Promise.all(WAITING_STATES.map(read)).then((read) => Object.fromEntries(WAITING_STATES.map((state, i) => [state, read[i]])) as WaitingSessions);
      const entry = { atMs: at, value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined; // a failed read is retried at the next scrape
      });
    }
    return cached.value;
  };
}
