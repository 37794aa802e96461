import { verify } from 'node:crypto';
import { AUTOMATIC_APPROVER } from '../core/approval';
import { keysForTenant, readStatement, StatementRefused } from '../core/decision-statement';
import type { ToolCallInput } from '../core/tool-call';
import type { ApproverKeySource } from '../store';

/**
 * The worker's own check before a write_critical call runs: the approval the workflow passes must
 * carry a statement that verifies (Node's Ed25519) under a key trusted now for the tenant, for this
 * session, request and input digest. So even a workflow history edited by hand, or a call made by
 * another workflow, cannot run a critical tool without a person's signature. Returns why not, or null.
 */
export async function approvalProblem(input: ToolCallInput, digest: string, automatic: boolean, source: ApproverKeySource | undefined): Promise<string | null> {
  const approval = input.approval;
  if (!approval || approval.digest !== digest) return `this call has no approval for its input (digest ${digest})`;
  if (approval.approver === AUTOMATIC_APPROVER) return automatic ? null : 'the agent does not declare automatic approval';
  if (!approval.statement) return 'the approval carries no signed statement';
  let read;
  try {
    read = readStatement(approval.statement);
  } catch (error) {
    if (error instanceof StatementRefused) return `the approval's statement is invalid: ${error.message}`;
    throw error;
  }
  const { claims, header } = read;
  if (claims.decision !== 'approve' || claims.session !== input.sessionId || claims.digest !== digest || claims.request !== approval.requestId) {
    return 'the approval\'s statement is not an approval of this call';
  }
  const key = keysForTenant(source ? await source.keys() : [], input.scope.tenant).find((k) => k.kid === header.kid);
  if (!key) return `key "${header.kid}" is not trusted for tenant "${input.scope.tenant}"`;
  const publicKey = { key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' as const };
  if (!verify(null, Buffer.from(read.signed), publicKey, Buffer.from(read.signature))) return `the approval's signature does not verify under key "${key.kid}"`;
  return null;
}
