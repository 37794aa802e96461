import { z } from 'zod';
import type { PendingApproval } from './approval';
import type { SessionState, SessionStatus } from './session';

/**
 * The session's status as of its last state change, kept in its memo so that what it waits for
 * (tool, request id, input digest, since when, until when) is readable without a live worker:
 * `describe()` answers from the server alone, where the `status` query needs a worker to run the
 * workflow. Bounded, so the memo stays small however large the calls' inputs are.
 */

/** The memo key of the status snapshot. */
export const STATUS_MEMO_KEY = 'keelStatus';

/** Pending approvals listed in the snapshot (the rest are counted). */
export const STATUS_MEMO_MAX_APPROVALS = 10;
/** Longest input JSON of a pending approval kept in the snapshot (the digest binds the whole input). */
export const STATUS_MEMO_INPUT_CHARS = 1500;
const DETAIL_CHARS = 1000;

/** What the memo keeps: a {@link SessionStatus} without the session's identity, bounded. */
export interface StatusMemo {
  v: 1;
  /** Workflow time of the snapshot. */
  atMs: number;
  state: SessionState;
  usage: SessionStatus['usage'];
  limits: SessionStatus['limits'];
  escalation: SessionStatus['escalation'];
  pendingApprovals: PendingApproval[];
  /** Pending approvals left out of the list (over {@link STATUS_MEMO_MAX_APPROVALS}). */
  omittedApprovals: number;
  run: number;
  execution?: string;
  approvers?: string[];
}

/** The snapshot of `status` at workflow time `atMs`. */
export function statusMemoOf(status: SessionStatus, atMs: number): StatusMemo {
  const pending = status.pendingApprovals;
  return {
    v: 1,
    atMs,
    state: status.state,
    usage: status.usage,
    limits: status.limits,
    escalation: status.escalation && { ...status.escalation, detail: status.escalation.detail.slice(0, DETAIL_CHARS) },
    pendingApprovals: pending.slice(0, STATUS_MEMO_MAX_APPROVALS).map((p) => ({ ...p, input: boundedInput(p.input), reason: p.reason.slice(0, DETAIL_CHARS) })),
    omittedApprovals: Math.max(0, pending.length - STATUS_MEMO_MAX_APPROVALS),
    run: status.run,
    ...(status.execution ? { execution: status.execution } : {}),
    ...(status.approvers ? { approvers: status.approvers.slice(0, 100) } : {}),
  };
}

/** An input too large for the memo: its first characters, marked as cut. */
function boundedInput(input: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(input);
  if (json.length <= STATUS_MEMO_INPUT_CHARS) return input;
  return { truncated: true, chars: json.length, preview: json.slice(0, STATUS_MEMO_INPUT_CHARS) };
}

const StatusMemoSchema = z.object({
  v: z.literal(1),
  atMs: z.number(),
  state: z.string(),
  usage: z.record(z.string(), z.number()),
  limits: z.record(z.string(), z.number()),
  escalation: z.object({ limit: z.string(), detail: z.string(), sinceMs: z.number(), timeoutMs: z.number() }).loose().nullable(),
  pendingApprovals: z
    .array(
      z
        .object({ requestId: z.string(), tool: z.string(), input: z.record(z.string(), z.unknown()), digest: z.string(), reason: z.string(), requestedAtMs: z.number(), timeoutMs: z.number() })
        .loose(),
    )
    .max(STATUS_MEMO_MAX_APPROVALS),
  omittedApprovals: z.number(),
  run: z.number(),
  execution: z.string().optional(),
  approvers: z.array(z.string()).optional(),
});

/**
 * The status a session's memo shows (from `describe()`), marked `source: 'memo'` with the time of
 * the snapshot; undefined when the memo has no snapshot (a session recorded before it, or one that
 * has not run its first step).
 */
export function statusFromMemo(
  memo: Record<string, unknown> | undefined,
  session: { sessionId: string; agent: string; tenant: string },
): (SessionStatus & { source: 'memo'; asOfMs: number }) | undefined {
  const parsed = StatusMemoSchema.safeParse(memo?.[STATUS_MEMO_KEY]);
  if (!parsed.success) return undefined;
  const snapshot = parsed.data as unknown as StatusMemo;
  return {
    sessionId: session.sessionId,
    agent: session.agent,
    tenant: session.tenant,
    state: snapshot.state,
    usage: snapshot.usage,
    limits: snapshot.limits,
    escalation: snapshot.escalation,
    pendingApprovals: snapshot.pendingApprovals,
    run: snapshot.run,
    ...(snapshot.execution ? { execution: snapshot.execution } : {}),
    ...(snapshot.approvers ? { approvers: snapshot.approvers } : {}),
    ...(snapshot.omittedApprovals ? { omittedApprovals: snapshot.omittedApprovals } : {}),
    source: 'memo',
    asOfMs: snapshot.atMs,
  };
}
