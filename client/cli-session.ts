import { existsSync, readFileSync } from 'node:fs';
import type { SessionRequestInput, SessionStatus } from '../core/session';
import type { SessionHandle } from './keel-client';
import { UsageError } from './usage-error';

/** The flags of `keel start` that build or override a session request. */
export interface StartFlags {
  agent?: string;
  tenant?: string;
  subject?: string[];
  input?: string;
  approver?: string[];
  model?: string;
  'max-tool-calls'?: string;
  'max-tokens'?: string;
  'max-elapsed-ms'?: string;
  'approval-timeout-ms'?: string;
  'escalation-timeout-ms'?: string;
}

/** Reads `--request FILE.json`: a session request as JSON. */
export function readRequestFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`--request: no such file "${path}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--request: ${path} is not JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--request: ${path} must hold a JSON object (a SessionRequest)`);
  return parsed as Record<string, unknown>;
}

/** A positive whole number from a flag, or a usage error naming the flag. */
function positive(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a positive whole number, got "${raw}"`);
  return n;
}

/** The session request of `keel start`: the file's (if any) with the flags laid over it. */
export function requestFromFlags(flags: StartFlags, base: Record<string, unknown> = {}): SessionRequestInput {
  const scope = (base.scope ?? {}) as { tenant?: string; subjects?: string[] };
  const limits = {
    ...((base.limits as object | undefined) ?? {}),
    ...definedOnly({ maxToolCalls: positive('max-tool-calls', flags['max-tool-calls']), maxTokens: positive('max-tokens', flags['max-tokens']), maxElapsedMs: positive('max-elapsed-ms', flags['max-elapsed-ms']) }),
  };
  const escalationTimeout = positive('escalation-timeout-ms', flags['escalation-timeout-ms']);
  const request = {
    ...base,
    ...(flags.agent ? { agent: flags.agent } : {}),
    ...(flags.input ? { input: flags.input } : {}),
    ...(flags.tenant || flags.subject ? { scope: { ...scope, ...(flags.tenant ? { tenant: flags.tenant } : {}), ...(flags.subject ? { subjects: flags.subject } : {}) } } : {}),
    ...(flags.approver ? { approvers: flags.approver } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...definedOnly({ approvalTimeoutMs: positive('approval-timeout-ms', flags['approval-timeout-ms']) }),
    ...(escalationTimeout ? { escalation: { ...((base.escalation as object | undefined) ?? {}), timeoutMs: escalationTimeout } } : {}),
  } as Record<string, unknown>;
  const missing = ['agent', 'input'].filter((k) => !request[k]);
  if (!(request.scope as { tenant?: string } | undefined)?.tenant) missing.push('tenant');
  if (missing.length) throw new UsageError(`keel start needs ${missing.map((m) => `--${m}`).join(', ')} (or --request FILE.json with them)`);
  return request as unknown as SessionRequestInput;
}

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Follows a session until it ends, printing each state change and every pending approval or
 * escalation with the command that decides it. `pollMs` paces the status queries.
 */
export async function watchSession(session: SessionHandle, out: (line: string) => void, pollMs = 500): Promise<void> {
  let done = false;
  const ended = session.result().then(
    () => (done = true),
    () => (done = true),
  );
  let lastState = '';
  const announced = new Set<string>();
  while (!done) {
    const status: SessionStatus | undefined = await session.status().catch(() => undefined);
    if (status && status.state !== lastState) {
      lastState = status.state;
      out(`state: ${status.state}`);
    }
    for (const pending of status?.pendingApprovals ?? []) {
      if (announced.has(pending.requestId)) continue;
      announced.add(pending.requestId);
      out(`approval needed: ${pending.tool} ${JSON.stringify(pending.input).slice(0, 300)} (request ${pending.requestId}, digest ${pending.digest})`);
      out(`  the agent's reason (the model's words): ${pending.reason.slice(0, 300)}`);
      out(`  decide: keel approve ${pending.sessionId ?? session.sessionId} ${pending.requestId} --key KEY.json   |   keel reject … --reason TEXT`);
    }
    const escalation = status?.escalation;
    if (escalation?.requestId && !announced.has(escalation.requestId)) {
      announced.add(escalation.requestId);
      out(`escalated: ${escalation.limit}: ${escalation.detail.slice(0, 300)}`);
      out(`  decide: keel escalation resume|abort ${session.sessionId} --key KEY.json${escalation.sessionId ? ` --session ${escalation.sessionId}` : ''}`);
    }
    await Promise.race([ended, new Promise((r) => setTimeout(r, pollMs))]);
  }
}
