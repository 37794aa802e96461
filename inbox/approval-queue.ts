import { WorkflowNotFoundError } from '@temporalio/client';
import type { KeelClient } from '../client/keel-client';
import { ApproverSchema, isAllowedApprover, type Approver, type PendingApproval } from '../core/approval';
import { AGENT_SESSION_WORKFLOW } from '../workflows/api';
import { KEEL_SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { SessionStatus } from '../core/session';

/**
 * The requests waiting for a decision, across sessions: Temporal visibility finds the sessions of
 * the task queue whose `KeelState` is `awaiting_approval` (in the tenants asked for), then each
 * session's `status` query says what exactly waits. Visibility can lag a moment behind; the status
 * query cannot, so a request is shown only while its session says it waits.
 */

/** One waiting request, with the session it belongs to. */
export interface WaitingRequest extends PendingApproval {
  sessionId: string;
  agent: string;
  tenant: string;
  /** Who may decide (identities, `role:NAME`); absent when any key trusted for the tenant may. */
  approvers?: string[];
}

/** What became of a request (for a stale form, a late click, and the webhook). */
export type RequestFate =
  | { kind: 'waiting'; request: WaitingRequest }
  /** `again`: the model has since proposed the same tool with another input, which waits. */
  | { kind: 'approved' | 'rejected'; by: string; note?: string; atMs: number; again?: WaitingRequest }
  | { kind: 'timed_out'; atMs: number; again?: WaitingRequest }
  /** The request is gone and the session waits on another call of the same tool: the model proposed it again, with other input. */
  | { kind: 're_proposed'; request: WaitingRequest }
  | { kind: 'session_ended'; state: string }
  /** Nothing known: no such session or request for this person, or it was decided in an earlier run of a long session. */
  | { kind: 'unknown' };

/** Which tenants a person may see: a list, or every tenant (`*`). */
export type TenantSet = readonly string[] | '*';

export interface ApprovalQueueOptions {
  /** The sessions' task queue. */
  taskQueue: string;
  /** Sessions read per listing, newest first. @default 500 */
  maxSessions?: number;
  /** Status queries in flight at once. @default 8 */
  concurrency?: number;
  /** How long one status query may take before the session is left out of a listing. @default 5000 */
  queryTimeoutMs?: number;
}

export class ApprovalQueue {
  private readonly maxSessions: number;
  private readonly concurrency: number;
  private readonly queryTimeoutMs: number;

  constructor(
    private readonly client: KeelClient,
    private readonly options: ApprovalQueueOptions,
  ) {
    this.maxSessions = options.maxSessions ?? 500;
    this.concurrency = options.concurrency ?? 8;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  }

  /** Every request waiting in sessions of `tenants`, in no particular order. */
  async waiting(given: TenantSet): Promise<WaitingRequest[]> {
    const tenants: TenantSet = given !== '*' && given.includes('*') ? '*' : given;
    if (tenants !== '*' && tenants.length === 0) return [];
    const ids = await this.waitingSessionIds(tenants);
    const statuses = await mapBounded(ids, this.concurrency, (id) => this.status(id).catch(() => null));
    return statuses.flatMap((status) => (status && inTenants(status.tenant, tenants) ? requestsOf(status) : []));
  }

  /** What became of request `requestId` of session `sessionId`, as seen by someone who may see `tenants`. */
  async fate(sessionId: string, requestId: string, tenants: TenantSet): Promise<RequestFate> {
    let status: SessionStatus;
    try {
      status = await this.status(sessionId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { kind: 'unknown' };
      throw error;
    }
    // Another tenant's session reads the same as a missing one.
    if (!status?.tenant || !inTenants(status.tenant, tenants)) return { kind: 'unknown' };
    const requests = requestsOf(status);
    const request = requests.find((r) => r.requestId === requestId);
    if (request) return { kind: 'waiting', request };
    const { events } = await this.client.temporal.withDeadline(Date.now() + this.queryTimeoutMs, () => this.client.getSession(sessionId).trace());
    const proposed = events.find((e) => e.type === 'approval_requested' && e.requestId === requestId);
    const again = proposed?.type === 'approval_requested' ? requests.find((r) => r.tool === proposed.tool && r.digest !== proposed.digest) : undefined;
    for (const event of events) {
      if (event.type !== 'approval_decided' || event.requestId !== requestId) continue;
      if (event.decision === 'timeout') return { kind: 'timed_out', atMs: event.atMs, ...(again ? { again } : {}) };
      // A quorum's earlier approvals (`1 of 2`) do not decide the request.
      const [count, of] = (event.quorum ?? '1 of 1').split(' of ');
      if (event.decision === 'rejected' || count === of) {
        return { kind: event.decision === 'rejected' ? 'rejected' : 'approved', by: event.approver ?? 'unknown', ...(event.note ? { note: event.note } : {}), atMs: event.atMs, ...(again ? { again } : {}) };
      }
    }
    if (again) return { kind: 're_proposed', request: again };
    if (!['running', 'awaiting_approval', 'escalated', 'starting'].includes(status.state)) return { kind: 'session_ended', state: status.state };
    return { kind: 'unknown' };
  }

  /** The status of one session (bounded in time). */
  status(sessionId: string): Promise<SessionStatus> {
    return this.client.temporal.withDeadline(Date.now() + this.queryTimeoutMs, () => this.client.getSession(sessionId).status());
  }

  private async waitingSessionIds(tenants: TenantSet): Promise<string[]> {
    const clauses = [
      `WorkflowType = '${AGENT_SESSION_WORKFLOW}'`,
      `ExecutionStatus = 'Running'`,
      `TaskQueue = '${quoted(this.options.taskQueue)}'`,
      `${KEEL_SEARCH_ATTRIBUTES.state} = 'awaiting_approval'`,
      ...(tenants === '*' ? [] : [`${KEEL_SEARCH_ATTRIBUTES.tenant} IN (${tenants.map((t) => `'${quoted(t)}'`).join(', ')})`]),
    ];
    const ids: string[] = [];
    for await (const execution of this.client.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(this.maxSessions, 1000) })) {
      ids.push(execution.workflowId);
      if (ids.length >= this.maxSessions) break;
    }
    return ids;
  }
}

/** Whether a person who holds `roles` may decide a request of a session with these approvers (signed for `identity`). */
export function mayDecide(request: Pick<WaitingRequest, 'approvers'>, identity: string, roles: readonly string[]): boolean {
  if (!request.approvers) return true;
  const allowed: Approver[] = request.approvers.flatMap((a) => {
    const parsed = ApproverSchema.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  });
  return isAllowedApprover(allowed, identity, roles);
}

function requestsOf(status: SessionStatus): WaitingRequest[] {
  return (status.pendingApprovals ?? []).map((p) => ({
    ...p,
    sessionId: status.sessionId,
    agent: status.agent,
    tenant: status.tenant,
    ...(status.approvers ? { approvers: status.approvers } : {}),
  }));
}

function inTenants(tenant: string, tenants: TenantSet): boolean {
  return tenants === '*' || tenants.includes('*') || tenants.includes(tenant);
}

/** A value for a visibility query's string literal (task queues and tenant names are checked to hold no quote). */
function quoted(value: string): string {
  if (/['"\\\u0000-\u001f]/.test(value)) throw new Error(`"${value.slice(0, 100)}" cannot be used in a visibility query (quote, backslash or control character)`);
  return value;
}

/** Maps with at most `limit` calls in flight. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
