import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { addAgentTime } from '../core/active-time';
import { recordToolCall } from '../core/breaker';
import { canonicalJson, intentKey } from '../core/intent';
import type { ToolCallRequest, ToolResultEntry } from '../core/model-call';
import type { ToolCallResult } from '../core/tool-call';
import { awaitDecision } from './approval-step';
import { awaitHuman } from './escalation';
import { modelActivities, modelCall, toolActivities, toolCall } from './session-activities-proxies';
import { keelMetrics, type Session } from './session-state';
import { verdictSummary } from './verdict-summary';

/** Patch id: runs recorded before it keyed their effects by session id alone, without tenant and first run. */
const TENANT_BOUND_KEYS = 'tenant-bound-keys';
/** Most characters of a failed tool's error that the model reads. */
const PREVIEW_NOTICE_LIMIT = 2000;

/** Who approved a call, passed to the tool activity for its audit. */
type ApprovedBy = { requestId: string; digest: string; approver: string; statement?: string; sender?: string };

/**
 * One tool call of the model's turn: an unknown tool, a session-cache hit, a call nobody approved
 * and a tool that failed beyond its retries all go back to the model as results; otherwise the
 * tool activity runs it under its idempotency key and a held output waits for the judge or a person.
 */
export async function runToolStep(s: Session, proposed: ToolCallRequest): Promise<ToolResultEntry> {
  const { request, trace, breaker, usage, tools, sessionId } = s;
  let call = proposed;
  const atMs = Date.now();
  const base = {
    type: 'tool_call' as const,
    atMs,
    'gen_ai.tool.name': call.name,
    'gen_ai.tool.call.id': call.id,
    ...(tools.tiers.has(call.name) ? { tier: tools.tiers.get(call.name)! } : {}),
    input: call.input,
  };
  if (!tools.tiers.has(call.name)) {
    const message = `unknown tool "${call.name}"; this agent's tools are: ${[...tools.tiers.keys()].join(', ') || '(none)'}`;
    recordToolCall(breaker, { tool: call.name, kind: 'unknown_tool', message });
    trace.push({ ...base, ok: false, error: { kind: 'unknown_tool', message }, outputBytes: 0, outputPreview: '', latencyMs: 0 });
    return { toolUseId: call.id, isError: true, content: { text: message } };
  }
  const cacheKey = request.toolResultCache && tools.cacheTtl.has(call.name) ? `${call.name}:${canonicalJson(call.input)}` : undefined;
  const cached = cacheKey ? s.toolCache[cacheKey] : undefined;
  if (cached && Date.now() - cached.atMs < tools.cacheTtl.get(call.name)!) {
    recordToolCall(breaker, null);
    trace.push({ ...base, ok: true, cacheHit: true, cache: 'session', outputRef: cached.ref, outputBytes: cached.bytes, outputPreview: cached.preview, latencyMs: 0 });
    keelMetrics.record({ kind: 'tool_cache_hit', agent: request.agent, tool: call.name, level: 'session' });
    // The result is already in the conversation: point at it instead of pasting it again.
    return { toolUseId: call.id, isError: false, content: { text: `Same result as tool call ${cached.callId} above (unchanged).` } };
  }
  if (tools.tiers.get(call.name) !== 'read') s.toolCache = {}; // a write may change what was read
  const approval = s.approvals.find((a) => a.callId === call.id);
  let approvedBy: ApprovedBy | undefined;
  if (approval) {
    const decision = await awaitDecision(s, approval);
    if (decision.decision !== 'approved') {
      const why = decision.decision === 'timeout' ? 'nobody approved it in time (timeout)' : `${decision.approver} rejected it: ${decision.reason}`;
      const message = `This action was not carried out: ${why}. Do not retry it unchanged; tell the user or choose another way.`;
      recordToolCall(breaker, { tool: call.name, kind: 'approval_rejected', message });
      trace.push({ ...base, ok: false, error: { kind: 'approval_rejected', message }, outputBytes: 0, outputPreview: '', latencyMs: 0 });
      return { toolUseId: call.id, isError: true, content: { text: message } };
    }
    approvedBy = {
      requestId: approval.requestId,
      digest: approval.digest,
      approver: approval.approvals ? approval.approvals.by.join(', ') : decision.approver, // a quorum: every approver, for the audit
      ...(decision.statement ? { statement: decision.statement } : {}),
      ...(decision.sender ? { sender: decision.sender } : {}),
    };
    call = { ...call, input: approval.input };
  }
  const idempotencyKey = s.patches.has(TENANT_BOUND_KEYS)
    ? intentKey(sessionId, call.name, call.input, { tenant: request.scope.tenant, firstRunId: workflowInfo().firstExecutionRunId })
    : intentKey(sessionId, call.name, call.input);
  const agent = s.described;
  try {
    const result = await toolActivities.runTool.executeWithOptions({ ...toolCall(request.timeouts), summary: `tool ${call.name}` }, [
      {
        sessionId,
        agent: request.agent,
        call,
        idempotencyKey,
        scope: request.scope,
        ...(agent.toolSet ? { toolSet: agent.toolSet } : {}),
        ...(approvedBy ? { approval: approvedBy } : {}),
        ...(request.toolResultCache ? {} : { toolResultCache: false }),
        maxAttempts: request.timeouts.toolMaxAttempts,
      },
    ]);
    recordToolCall(breaker, result.error ? { tool: call.name, ...result.error } : null);
    addAgentTime(breaker, result.latencyMs);
    if (!result.ok) usage.toolErrors = (usage.toolErrors ?? 0) + 1;
    if (result.error?.kind === 'ScopeViolationError') {
      usage.scopeViolations += 1;
      trace.push({ type: 'scope_violation', atMs: Date.now(), tool: call.name, input: call.input, message: result.error.message });
    }
    trace.push({
      ...base,
      idempotencyKey,
      ...(result.replayed ? { replayed: true } : {}),
      ...(result.cache ? { cacheHit: true, cache: result.cache } : {}),
      ok: result.ok,
      ...(result.error ? { error: result.error } : {}),
      outputRef: result.contentRef,
      outputBytes: result.bytes,
      outputPreview: result.preview,
      latencyMs: result.latencyMs,
    });
    let deliverRef = result.contentRef;
    if (result.guardrail) {
      trace.push({ type: 'guardrail_verdict', atMs: Date.now(), ...result.guardrail });
      if (result.heldRef) deliverRef = await releaseHeldOutput(s, result, call.name);
    }
    if (cacheKey && result.ok) s.toolCache[cacheKey] = { callId: call.id, ref: deliverRef, bytes: result.bytes, preview: result.preview, atMs: Date.now() };
    return { toolUseId: call.id, isError: !result.ok, content: { ref: deliverRef, bytes: result.bytes } };
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const kind = cause instanceof ApplicationFailure && cause.type ? cause.type : 'activity_failure';
    const message = `the tool failed after retries: ${((cause as Error)?.message ?? String(cause)).slice(0, PREVIEW_NOTICE_LIMIT)}`;
    recordToolCall(breaker, { tool: call.name, kind, message });
    usage.toolErrors = (usage.toolErrors ?? 0) + 1;
    trace.push({ ...base, ok: false, error: { kind, message }, outputBytes: 0, outputPreview: '', latencyMs: Date.now() - atMs });
    return { toolUseId: call.id, isError: true, content: { text: message } };
  }
}

/**
 * What the model may read of a tool output that a guardrail held back: the judge's or a person's
 * decision lets the output through, otherwise the notice stays.
 */
async function releaseHeldOutput(s: Session, result: ToolCallResult, tool: string): Promise<string> {
  const { request } = s;
  const verdict = result.guardrail!;
  const policy = s.described.guardrails!;
  let action = verdict.action;
  if (action === 'judge' && policy.injectionJudge) {
    const judged = await modelActivities.judgeToolOutput.executeWithOptions({ ...modelCall(request.timeouts), summary: `judge output of ${tool}` }, [
      { agent: request.agent, tenant: request.scope.tenant, model: policy.injectionJudge.model, heldRef: result.heldRef!, maxAttempts: request.timeouts.modelMaxAttempts },
    ]);
    addAgentTime(s.breaker, judged.activityMs);
    s.countJudge(judged.judgeUsage);
    action = judged.injection ? policy.promptInjection : 'pass';
    s.trace.push({
      type: 'guardrail_verdict',
      atMs: Date.now(),
      ...verdict,
      action,
      findings: [...verdict.findings, { detector: 'injection.judge', category: 'prompt_injection', kind: judged.injection ? 'judged_injection' : 'judged_benign', score: judged.injection ? 1 : 0, message: judged.reason.slice(0, 300) }],
    });
  }
  if (action === 'pass' || action === 'flag') return result.heldRef!;
  if (action === 'escalate') {
    const decision = await awaitHuman(s, `guardrail:${verdict.category}`, `${tool}: ${verdictSummary(verdict)}`);
    s.setState('running');
    if (decision?.action === 'resume') return result.heldRef!;
  }
  return result.contentRef;
}
