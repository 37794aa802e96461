/**
 * Writes the JSON Schemas of Keel's public contract into schemas/, generated from the zod schemas
 * (the single source), for clients in other languages: the session request, status, trace, result,
 * orchestration request, and the payloads of every signal, update and query.
 *
 *   npx tsx scripts/generate-schemas.ts [--check]
 *
 * --check compares with the files on disk and exits 1 when they are out of date.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SessionRequestSchema } from '../core/session';
import { OrchestrationRequestSchema } from '../core/orchestration';
import { DecisionAcceptedSchema, SessionResultSchema, SessionStatusSchema, SessionTraceSchema } from '../core/contract-schemas';
import { DecisionClaimsSchema, DecisionEnvelopeSchema, DecisionHeaderSchema, TrustedKeyFileSchema } from '../core/decision-statement';
import { SessionTraceRecordSchema } from '../core/trace-schema';

const dir = join(__dirname, '..', 'schemas');

/** Each schema with the file it goes to and what it is (`io` is the side of a transform to describe). */
const CONTRACT: Array<{ file: string; title: string; description: string; schema: z.ZodType; io: 'input' | 'output' }> = [
  { file: 'session-request.json', title: 'SessionRequest', description: 'The one argument of the agentSession workflow (defaults optional; unknown keys are refused).', schema: SessionRequestSchema, io: 'input' },
  { file: 'orchestration-request.json', title: 'OrchestrationRequest', description: 'The argument of supervisorSession, pipelineSession and debateSession.', schema: OrchestrationRequestSchema, io: 'input' },
  { file: 'session-status.json', title: 'SessionStatus', description: 'Answer of the "status" query.', schema: SessionStatusSchema, io: 'output' },
  { file: 'session-trace.json', title: 'SessionTrace', description: 'Answer of the "trace" query.', schema: SessionTraceSchema, io: 'output' },
  { file: 'session-trace-record.json', title: 'SessionTraceRecord', description: 'A finished session\'s archived trace (keel trace --format json).', schema: SessionTraceRecordSchema, io: 'output' },
  { file: 'session-result.json', title: 'SessionResult', description: 'The result of the agentSession workflow.', schema: SessionResultSchema, io: 'output' },
  {
    file: 'decision-envelope.json',
    title: 'DecisionEnvelope',
    description: 'Payload of the "approve", "reject" and "resolveEscalation" signals and updates: a signed statement (compact JWS, EdDSA).',
    schema: DecisionEnvelopeSchema,
    io: 'input',
  },
  { file: 'decision-statement-header.json', title: 'DecisionStatementHeader', description: 'The protected header of a decision statement (JWS).', schema: DecisionHeaderSchema, io: 'input' },
  {
    file: 'decision-statement-claims.json',
    title: 'DecisionStatementClaims',
    description: 'The signed claims (JWS payload) of a decision statement. Sign base64url(header) + "." + base64url(claims) with Ed25519.',
    schema: DecisionClaimsSchema,
    io: 'input',
  },
  { file: 'decision-accepted.json', title: 'DecisionAccepted', description: 'What an accepted decision update answers.', schema: DecisionAcceptedSchema, io: 'output' },
  { file: 'trusted-approver-keys.json', title: 'TrustedApproverKeys', description: 'The file of public keys workers trust (KEEL_APPROVER_KEYS).', schema: TrustedKeyFileSchema, io: 'input' },
];

function render(entry: (typeof CONTRACT)[number]): string {
  const json = z.toJSONSchema(entry.schema, { io: entry.io, unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ $id: `urn:keel:schema:${entry.file.replace(/\.json$/, '')}`, title: entry.title, description: entry.description, ...json }, null, 2)}\n`;
}

const check = process.argv.includes('--check');
const stale: string[] = [];
mkdirSync(dir, { recursive: true });
for (const entry of CONTRACT) {
  const path = join(dir, entry.file);
  const text = render(entry);
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(entry.file);
  } else writeFileSync(path, text);
}
const index = `${JSON.stringify(
  {
    workflows: { agentSession: 'session-request.json', supervisorSession: 'orchestration-request.json', pipelineSession: 'orchestration-request.json', debateSession: 'orchestration-request.json' },
    results: { agentSession: 'session-result.json' },
    queries: { status: 'session-status.json', trace: 'session-trace.json' },
    signals: { approve: 'decision-envelope.json', reject: 'decision-envelope.json', resolveEscalation: 'decision-envelope.json' },
    updates: {
      approve: { input: 'decision-envelope.json', result: 'decision-accepted.json' },
      reject: { input: 'decision-envelope.json', result: 'decision-accepted.json' },
      resolveEscalation: { input: 'decision-envelope.json', result: 'decision-accepted.json' },
    },
    taskQueue: 'keel (KEEL_TASK_QUEUE)',
    searchAttributes: { KeelAgent: 'Keyword', KeelTenant: 'Keyword', KeelState: 'Keyword' },
  },
  null,
  2,
)}\n`;
if (check) {
  if (!existsSync(join(dir, 'contract.json')) || readFileSync(join(dir, 'contract.json'), 'utf8') !== index) stale.push('contract.json');
  if (stale.length) {
    console.error(`schemas/ is out of date (${stale.join(', ')}): run npm run schemas`);
    process.exit(1);
  }
  console.log(`schemas/ is up to date (${CONTRACT.length + 1} files)`);
} else {
  writeFileSync(join(dir, 'contract.json'), index);
  console.log(`wrote ${CONTRACT.length + 1} files to ${dir}`);
}
