import { setCurrentDetails } from '@temporalio/workflow';
import { addAgentTime } from '../core/active-time';
import { approverLabel, AUTOMATIC_APPROVER, type ApprovalDecision } from '../core/approval';
import { recordPause } from '../core/breaker';
import { canonicalJson, sha256Hex } from '../core/intent';
import type { ToolCallRequest } from '../core/model-call';
import { VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import { toolCheckActivities } from './session-activities-proxies';
import { keelMetrics, type ApprovalRecord, type Session } from './session-state';
import { awaitingApprovalDetails } from './waiting-details';

/** Patch id: runs recorded before it let write calls with sensitive arguments from untrusted content run unchecked (core/information-flow.ts). */
const INFORMATION_FLOW = 'information-flow';
/** The "approver" of a call the information-flow policy blocked. */
const INFORMATION_FLOW_APPROVER = 'policy:information-flow';
/** Most characters of the user's request that the information-flow check compares with. */
const FLOW_USER_INPUT_CHARS = 65_536;

/**
 * Opens an approval request for every valid write_critical call of a turn, all at once, and for
 * every write call whose sensitive arguments come from untrusted content (the information-flow
 * policy holds it for a person, or blocks it).
 */
export async function requestApprovals(s: Session, calls: ToolCallRequest[], reason: string): Promise<ApprovalRecord[]> {
  const { request, trace, tools } = s;
  const agent = s.described;
  const records: ApprovalRecord[] = [];
  for (const call of calls) {
    const tier = tools.tiers.get(call.name);
    // Information flow: a write call with sensitive arguments has their sources checked first.
    const checksFlow = tier !== undefined && tier !== 'read' && tools.sensitive.has(call.name) && s.patches.has(INFORMATION_FLOW);
    if (tier !== 'write_critical' && !checksFlow) continue;
    const prepared = await toolCheckActivities.prepareToolCall.executeWithOptions({ summary: `validate ${call.name}` }, [
      { agent: request.agent, tenant: request.scope.tenant, call, ...(agent.toolSet ? { toolSet: agent.toolSet } : {}) },
    ]);
    if (!prepared.ok) continue; // the tool call itself reports the invalid input to the model
    const flow = checksFlow ? await traceFlow(s, call.name, prepared.input) : undefined;
    const policy = agent.informationFlow?.untrustedSensitive ?? 'escalate';
    const held = flow !== undefined && flow.untrusted.length > 0 && policy !== 'allow';
    if (tier !== 'write_critical' && !held) continue;
    const blocked = held && policy === 'block'
      ? `its ${flow.untrusted.map((arg) => `"${arg}" (${flow.provenance[arg]})`).join(', ')} come${flow.untrusted.length > 1 ? '' : 's'} from untrusted content, not from the user's request (information-flow policy)`
      : undefined;
    s.approvalsIssued += 1;
    const automatic = held ? undefined : agent.automaticApproval; // a call held by the flow policy needs a person
    const record: ApprovalRecord = {
      requestId: `apr-${s.approvalsIssued}-${call.name}`,
      callId: call.id,
      tool: call.name,
      input: prepared.input,
      digest: sha256Hex(canonicalJson(prepared.input)),
      reason: reason.slice(0, 1000),
      requestedAtMs: Date.now(),
      timeoutMs: request.approvalTimeoutMs,
      ...(flow ? { provenance: flow.provenance } : {}),
      ...(blocked
        ? { decision: { decision: 'rejected', approver: INFORMATION_FLOW_APPROVER, reason: blocked } }
        : automatic
          ? { decision: { decision: 'approved', approver: AUTOMATIC_APPROVER, note: automatic.reason } }
          : tools.requiredApprovals.has(call.name)
            ? { approvals: { required: tools.requiredApprovals.get(call.name)!, by: [] } }
            : {}),
    };
    records.push(record);
    trace.push({ type: 'approval_requested', atMs: Date.now(), requestId: record.requestId, tool: record.tool, input: record.input, digest: record.digest, reason: record.reason });
    if (blocked) trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'rejected', approver: INFORMATION_FLOW_APPROVER, note: blocked });
    if (automatic) trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'approved', approver: AUTOMATIC_APPROVER, note: automatic.reason });
  }
  // Keys before the requests become visible, so a decision can be verified as soon as it comes.
  if (records.some((r) => !r.decision) && s.patches.has(VERIFIED_DECISIONS_PATCH)) await s.human.refreshKeys();
  return records;
}

/**
 * Where the sensitive arguments of a proposed write call come from, decided by an activity that
 * reads the session's tool outputs (this run's and the earlier runs' traces) from the content
 * store; its result is in the history, so a replay decides the same.
 */
async function traceFlow(s: Session, tool: string, input: Record<string, unknown>) {
  const { request } = s;
  const refs = new Set<string>();
  const outputs: Array<{ tool: string; ref: string }> = [];
  for (const e of s.trace) {
    if (e.type === 'tool_call' && e.outputRef && !refs.has(e.outputRef)) refs.add(e.outputRef), outputs.push({ tool: e['gen_ai.tool.name'], ref: e.outputRef });
  }
  const traced = await toolCheckActivities.traceArgumentProvenance.executeWithOptions({ summary: `information flow of ${tool}` }, [
    { agent: request.agent, tenant: request.scope.tenant, tool, input, userInput: request.input.slice(0, FLOW_USER_INPUT_CHARS), outputs: outputs.slice(-64), earlierTraces: s.earlierTraces.slice(-8) },
  ]);
  addAgentTime(s.breaker, traced.activityMs);
  return traced;
}

/** Waits for the decision on a write_critical call; a timeout counts as a rejection. */
export async function awaitDecision(s: Session, record: ApprovalRecord): Promise<ApprovalDecision> {
  if (!record.decision) {
    s.setState('awaiting_approval');
    const since = Date.now();
    const verified = s.patches.has(VERIFIED_DECISIONS_PATCH);
    if (verified) setCurrentDetails(awaitingApprovalDetails(s.sessionId, record, s.pendingApprovals().length, s.request.approvers?.map(approverLabel)));
    await s.human.waitForPerson(() => record.decision !== undefined, record.requestedAtMs + record.timeoutMs, `approval ${record.requestId} times out`);
    if (verified) setCurrentDetails('');
    recordPause(s.breaker, Date.now() - since);
    if (!record.decision) {
      record.decision = { decision: 'timeout' };
      keelMetrics.record({ kind: 'approval_decided', agent: s.request.agent, tool: record.tool, decision: 'timeout' });
      s.trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'timeout' });
    }
    s.setState('running');
  }
  return record.decision;
}
