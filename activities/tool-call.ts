import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core/errors';
import { canonicalJson, sha256Hex } from '../core/intent';
import { resourceTags, ToolTransientError, type AnyTool, type ToolOutputTooLargeError } from '../core/tool';
import type { PreparedToolCall, ToolCallInput, ToolCallResult } from '../core/tool-call';
import type { ToolCallRequest } from '../core/model-call';
import { IdempotencyClaimHeldError, type AuditEntry, type CachePartition, type LedgerOutcome, type SharedCacheMiss } from '../store';
import { approvalProblem } from './approval-check';
import { spendAttempt } from './attempt-budget';
import { screenToolOutputInWindows } from './guardrail-checks';
import { throttledHeartbeat } from './heartbeat';
import { contentTenant } from './session-tenant';
import { parseStoredOutput, type SessionActivityContext } from './session-activity-context';
import { checkOutputSize, oversizeFromLedger, oversizeLedgerRecord } from './tool-output-limit';

const PREVIEW_CHARS = 160;
const HEARTBEAT_MS = 1000;
/** How often a tool call waiting for another attempt's claim on its intent looks again. */
const CLAIM_POLL_MS = 1000;

/** A tool's output that fails the tool's own output schema. */
class ToolOutputError extends Error {
  override readonly name = 'ToolOutputError';
}

/** One tool call in one activity attempt: its input, the tool, the validated input and where its content goes. */
interface ToolCallRun {
  ctx: SessionActivityContext;
  input: ToolCallInput;
  tool: AnyTool;
  valid: Record<string, unknown>;
  tenant: string;
  started: number;
}

/** What one execution of the tool produced in this attempt. */
interface Execution {
  /** The output as the tool returned it (after its output schema). */
  produced?: { value: unknown };
  /** The output was over the tool's limit: neither stored nor screened. */
  oversize?: ToolOutputTooLargeError;
}

/** The activities that run a session's tool calls. */
export function toolCallActivities(ctx: SessionActivityContext) {
  return {
    /** Validates a call's input before a human is asked to approve it. */
    async prepareToolCall(input: { agent: string; tenant?: string; call: ToolCallRequest; toolSet?: string }): Promise<PreparedToolCall> {
      const unpinned = input.toolSet ? await ctx.pinned.problem(input.toolSet, await ctx.tenantOf(input.tenant), input.call.name, ctx.deps.agents.tool(input.agent, input.call.name)) : null;
      if (unpinned) return { ok: false, ...unpinned };
      const { tool, input: valid, error } = ctx.validate(input.agent, input.call);
      if (error || !tool) return { ok: false, ...error! };
      return { ok: true, tier: tool.tier, input: valid! };
    },

    /**
     * Runs one tool call: validates the input against the tool's schema, runs the tool with its
     * scope and idempotency key (once per intent, with the ledger), stores and screens the output.
     * A failing tool is an error result for the model; a {@link ToolTransientError} is retried by Temporal first.
     */
    async runTool(input: ToolCallInput): Promise<ToolCallResult> {
      const started = Date.now();
      const tenant = contentTenant(input.scope.tenant);
      const checked = await checkCall(ctx, input, tenant);
      if ('kind' in checked) return fail({ ctx, input, tenant, started }, checked.kind, checked.message);
      const run: ToolCallRun = { ctx, input, tool: checked.tool, valid: checked.valid, tenant, started };
      const shared = await lookUpShared(run);
      if (shared && 'result' in shared) return shared.result;
      const execution: Execution = {};
      let outcome: { text: string; replayed: boolean; audited?: LedgerOutcome['audit'] };
      try {
        outcome = await applyOnce(run, execution);
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        const err = error instanceof Error ? error : new Error(String(error));
        if (err instanceof ToolTransientError) {
          throw spendAttempt(ApplicationFailure.create({ type: FailureType.ToolTransient, message: `tool "${run.tool.name}": ${err.message}` }), input.maxAttempts);
        }
        if (err instanceof ToolOutputError) return fail(run, 'invalid_output', err.message);
        return fail(run, err.name === 'Error' ? 'tool_error' : err.name, err.message);
      }
      const { text, replayed } = outcome;
      const oversize = execution.oversize ?? (replayed ? oversizeFromLedger(run.tool, text) : undefined);
      /** An output over the limit: the error result the model gets (stored, counted as a tool error). */
      const failed = oversize && (await fail(run, oversize.kind, oversize.message));
      const contentRef = failed ? failed.contentRef : await ctx.deps.store.put(text, tenant);
      if (!failed) count(run, 'ok');
      const output = failed ? undefined : execution.produced ? execution.produced.value : parseStoredOutput(text);
      await updateSharedCache(run, shared?.miss, text, output, Boolean(failed));
      await mirrorAudit(run, outcome, text);
      if (failed) return { ...failed, latencyMs: Date.now() - started, ...(replayed ? { replayed } : {}) };
      return { ...(await screened(run, text, contentRef)), latencyMs: Date.now() - started, ...(replayed ? { replayed } : {}) };
    },
  };
}

/**
 * Validation: the tool is still the one pinned at session start, the input fits the tool's schema,
 * and a write_critical call carries an approval that verifies (else a non-retryable failure).
 */
async function checkCall(ctx: SessionActivityContext, input: ToolCallInput, tenant: string): Promise<{ tool: AnyTool; valid: Record<string, unknown> } | { kind: string; message: string }> {
  const unpinned = await ctx.pinned.problem(input.toolSet, tenant, input.call.name, ctx.deps.agents.tool(input.agent, input.call.name));
  if (unpinned) return unpinned;
  const { tool, input: valid, error } = ctx.validate(input.agent, input.call);
  if (error || !tool) return error!;
  if (tool.tier === 'write_critical') {
    const digest = sha256Hex(canonicalJson(valid));
    const problem = await approvalProblem(input, digest, Boolean(ctx.agentOf(input.agent).automaticApproval), ctx.deps.approverKeys);
    if (problem) {
      throw ApplicationFailure.create({ type: FailureType.UnapprovedCriticalCall, message: `tool "${tool.name}" is write_critical and ${problem}`, nonRetryable: true });
    }
  }
  return { tool, valid: valid! };
}

/** Counts a call in the metrics (and a scope violation). */
function count(run: Pick<ToolCallRun, 'ctx' | 'input'>, outcome: 'ok' | 'error', kind?: string): void {
  const { metrics } = run.ctx.deps;
  metrics?.toolCalls.inc({ agent: run.input.agent, tool: run.input.call.name, outcome });
  if (kind === 'ScopeViolationError') metrics?.scopeViolations.inc({ agent: run.input.agent, tool: run.input.call.name });
}

/** An error result for the model, its message stored like an output. */
async function fail(run: Pick<ToolCallRun, 'ctx' | 'input' | 'tenant' | 'started'>, kind: string, message: string): Promise<ToolCallResult> {
  count(run, 'error', kind);
  const contentRef = await run.ctx.deps.store.put(message, run.tenant);
  return { ok: false, contentRef, bytes: Buffer.byteLength(message), preview: message.slice(0, PREVIEW_CHARS), error: { kind, message }, latencyMs: Date.now() - run.started };
}

/** Screening: stores what the guardrail lets the model read of an output (and the output itself when a decision is pending). */
async function screened(run: ToolCallRun, text: string, storedRef?: string) {
  const { ctx, input, tool, tenant } = run;
  const { store, metrics } = ctx.deps;
  const checked = await screenToolOutputInWindows(text, tool.name, ctx.agentOf(input.agent).guardrails, metrics, input.agent, throttledHeartbeat());
  const contentRef = checked.text === text && storedRef ? storedRef : await store.put(checked.text, tenant);
  const heldRef = checked.held !== undefined ? (storedRef ?? (await store.put(checked.held, tenant))) : undefined;
  return {
    ok: true,
    contentRef,
    bytes: Buffer.byteLength(checked.text),
    preview: checked.text.slice(0, PREVIEW_CHARS),
    ...(checked.verdict ? { guardrail: checked.verdict } : {}),
    ...(heldRef ? { heldRef } : {}),
  };
}

/** The shared-cache level a tool declares, if any. */
function sharedLevelOf(tool: AnyTool): true | 'tenant' | undefined {
  if (tool.tier !== 'read' || !tool.cache?.shared) return undefined;
  return tool.cache.shared === 'tenant' ? 'tenant' : true;
}

/** Cache: a read tool that shares its results answers from the tenant's (or subjects') shared cache; a miss is kept for the store. */
async function lookUpShared(run: ToolCallRun): Promise<{ result: ToolCallResult } | { miss: { partition: CachePartition; found: SharedCacheMiss } } | undefined> {
  const { ctx, input, tool, valid } = run;
  const { sharedCache, metrics } = ctx.deps;
  const shared = sharedCache && input.toolResultCache !== false ? sharedLevelOf(tool) : undefined;
  const partition: CachePartition | undefined = shared && { tenant: input.scope.tenant, subjects: shared === 'tenant' ? null : input.scope.subjects };
  if (!sharedCache || !partition) return undefined;
  const found = await sharedCache.lookup(partition, tool.name, valid);
  if (!found.hit) return { miss: { partition, found } };
  const cachedOversize = checkOutputSize(tool, found.result);
  if (cachedOversize) return { result: await fail(run, cachedOversize.kind, cachedOversize.message) };
  metrics?.toolCacheHits.inc({ agent: input.agent, tool: tool.name, level: 'shared' });
  return { result: { ...(await screened(run, found.result)), latencyMs: Date.now() - run.started, cache: 'shared' } };
}

/** Cache: stores a fresh shared result with its resource tags, and lets a write invalidate what it changed. */
async function updateSharedCache(run: ToolCallRun, miss: { partition: CachePartition; found: SharedCacheMiss } | undefined, text: string, output: unknown, failed: boolean): Promise<void> {
  const { ctx, input, tool, valid } = run;
  const { sharedCache, metrics } = ctx.deps;
  if (!sharedCache) return;
  if (miss && tool.cache && !failed) {
    // A result whose tags cannot be known is not shared: no write could invalidate it.
    const tags = tool.cache.resources ? resourceTags(tool.cache.resources, valid, output) : [];
    if (tags) await sharedCache.store(miss.partition, tool.name, valid, { result: text, tags, ttlMs: tool.cache.ttlMs, readStartedAt: miss.found.readStartedAt });
  }
  if (tool.tier !== 'read' && tool.invalidates) {
    // Also on a replayed intent: the attempt that applied it may have died before invalidating.
    // Tags that cannot be known invalidate the whole tenant's shared entries (the safe side).
    const tags = failed ? null : resourceTags(tool.invalidates, valid, output);
    const dropped = tags ? await sharedCache.invalidate(input.scope.tenant, tags) : await sharedCache.invalidateAll(input.scope.tenant);
    if (dropped > 0) metrics?.toolCacheInvalidations.inc({ agent: input.agent, tool: tool.name }, dropped);
  }
}

/** Runs the tool with heartbeats (and lease renewals); returns its output as text (or the ledger's record of an oversize output). */
async function execute(run: ToolCallRun, execution: Execution, renew: () => Promise<void>): Promise<string> {
  const { input, tool, valid } = run;
  const context = Context.current();
  const heartbeat = setInterval(() => {
    context.heartbeat();
    void renew().catch(() => undefined);
  }, HEARTBEAT_MS);
  let output: unknown;
  try {
    output = await tool.run(valid, { sessionId: input.sessionId, scope: input.scope, idempotencyKey: input.idempotencyKey, signal: context.cancellationSignal });
  } finally {
    clearInterval(heartbeat);
  }
  if (tool.output) {
    const checked = tool.output.safeParse(output);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(output)'}: ${i.message}`).join('; ');
      throw new ToolOutputError(`tool "${tool.name}" returned output that fails its schema: ${issues}`);
    }
    output = checked.data;
  }
  const text = typeof output === 'string' ? output : JSON.stringify(output ?? null);
  execution.oversize = checkOutputSize(tool, text);
  // The ledger records that the effect was applied, not the output.
  if (execution.oversize) return oversizeLedgerRecord(execution.oversize);
  execution.produced = { value: output };
  return text;
}

/** Audit: the intent's audit entry, its result stored (under the reference the trace gets too). */
async function auditEntryOf(run: ToolCallRun, result: string): Promise<AuditEntry> {
  const { ctx, input, tool, valid, tenant } = run;
  const over = oversizeFromLedger(tool, result);
  return {
    atIso: new Date().toISOString(),
    sessionId: input.sessionId,
    tenant: input.scope.tenant,
    agent: input.agent,
    tool: tool.name,
    tier: tool.tier,
    input: valid,
    idempotencyKey: input.idempotencyKey,
    ok: true,
    resultRef: await ctx.deps.store.put(over ? over.message : result, tenant),
    ...(input.approval ? { approvedBy: input.approval.approver, ...(input.approval.sender ? { approvalSender: input.approval.sender } : {}) } : {}),
  };
}

/**
 * Ledger: a read runs as it is; an effect runs once per intent (idempotency key), its audit entry
 * written with the ledger's completion. While another attempt holds the intent's claim (one lost
 * with its worker whose lease has not run out, or one still running), waits for it, heartbeating,
 * without spending an attempt.
 */
async function applyOnce(run: ToolCallRun, execution: Execution): Promise<{ text: string; replayed: boolean; audited?: LedgerOutcome['audit'] }> {
  const { ctx, input, tool } = run;
  const { ledger } = ctx.deps;
  if (tool.tier === 'read' || !ledger) return { text: await execute(run, execution, async () => undefined), replayed: false };
  const context = Context.current();
  const { info } = context;
  const leaseMs = (info.heartbeatTimeoutMs ?? 15_000) + 500;
  for (;;) {
    try {
      const outcome = await ledger.apply(
        input.idempotencyKey,
        { sessionId: input.sessionId, tenant: input.scope.tenant, tool: tool.name, holder: `${info.workflowExecution?.runId ?? input.sessionId}/${info.activityId}/${info.attempt}`, leaseMs },
        (renew) => execute(run, execution, renew),
        (result) => auditEntryOf(run, result),
      );
      return { text: outcome.result, replayed: outcome.replayed, audited: outcome.audit };
    } catch (error) {
      if (!(error instanceof IdempotencyClaimHeldError)) throw error;
      context.heartbeat();
      await context.sleep(CLAIM_POLL_MS);
    }
  }
}

/**
 * Audit: with the ledger, the entry is in keel_audit since the ledger's completion and the audit
 * log mirrors it once (also when the attempt that completed it died before writing the mirror);
 * without a database the log is the record, and a retry looks for the entry a dead attempt may have written.
 */
async function mirrorAudit(run: ToolCallRun, outcome: { replayed: boolean; audited?: LedgerOutcome['audit'] }, text: string): Promise<void> {
  const { ctx, input, tool } = run;
  const { ledger, audit } = ctx.deps;
  if (tool.tier === 'read') return;
  if (ledger) {
    const { audited, replayed } = outcome;
    if (audited && !audited.mirrored) {
      const fresh = audited.writtenNow && !replayed;
      if (fresh || !audit.has || !(await audit.has(input.idempotencyKey))) await audit.record(audited.entry);
      await ledger.auditTable.markMirrored(input.idempotencyKey);
    }
  } else if (Context.current().info.attempt === 1 || !audit.has || !(await audit.has(input.idempotencyKey))) {
    await audit.record(await auditEntryOf(run, text));
  }
}
