import type { PendingApproval } from '../core/approval';
import type { PendingEscalation } from '../core/session';

/** Longest input shown in a waiting session's details in the Temporal UI. */
const INPUT_PREVIEW_CHARS = 1500;

/**
 * The current details of a session waiting for an approval, as the Temporal UI shows them: the
 * pending call, its input digest, the agent's reason labelled as the model's own words, and how to
 * decide.
 */
export function awaitingApprovalDetails(sessionId: string, pending: PendingApproval, waiting: number, approvers: string[] | undefined): string {
  const input = JSON.stringify(pending.input, null, 2);
  return [
    `**Waiting for approval** of \`${pending.tool}\` — request \`${pending.requestId}\`${waiting > 1 ? ` (${waiting} requests wait)` : ''}`,
    '',
    `- input digest (SHA-256): \`${pending.digest}\``,
    ...(pending.provenance ? [`- where the sensitive arguments come from: ${Object.entries(pending.provenance).map(([arg, from]) => `\`${arg}\` ← ${from}`).join(', ')}`] : []),
    `- times out: ${new Date(pending.requestedAtMs + pending.timeoutMs).toISOString()} (counts as a rejection)`,
    `- who may decide: ${approvers?.length ? approvers.join(', ') : 'any key trusted for the tenant'} — only with a signed statement`,
    '',
    '```json',
    input.length > INPUT_PREVIEW_CHARS ? `${input.slice(0, INPUT_PREVIEW_CHARS)}\n… (${input.length} characters; see the status query)` : input,
    '```',
    '',
    "The agent's reason — the model's own words, not verified:",
    '',
    `> ${pending.reason.replace(/\n/g, '\n> ')}`,
    '',
    'Decide: `npx keel approve ' + sessionId + ' ' + pending.requestId + ' --key YOUR_KEY.json` (or `keel reject … --reason TEXT`),',
    'or sign with `npx keel statement approve ' + sessionId + ' ' + pending.requestId + ' --key YOUR_KEY.json` and send the printed',
    'statement with `temporal workflow update execute --name approve --workflow-id ' + sessionId + ' --input …`.',
  ].join('\n');
}

/** The current details of an escalated session. */
export function awaitingEscalationDetails(sessionId: string, escalation: PendingEscalation, approvers: string[] | undefined): string {
  return [
    `**Escalated**: ${escalation.limit} — escalation \`${escalation.requestId}\``,
    '',
    `- ${escalation.detail}`,
    `- times out: ${new Date(escalation.sinceMs + escalation.timeoutMs).toISOString()} (then the fallback applies)`,
    `- who may decide: ${approvers?.length ? approvers.join(', ') : 'any key trusted for the tenant'} — only with a signed statement`,
    '',
    'Decide: `npx keel escalation resume ' + sessionId + ' --key YOUR_KEY.json [--tool-calls N]` or `npx keel escalation abort ' + sessionId + ' --key YOUR_KEY.json`.',
  ].join('\n');
}
