import { join } from 'node:path';
import { WorkflowFailedError, ActivityFailure } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { sha256Hex, canonicalJson } from '../core/intent';
import { createKeelWorker } from '../workers/keel-worker';
import { signDecision } from '../client/approver-key';
import { testApproverKeys, testKey } from './support/approver-keys';
import { createTestEnvironment, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

// Whatever workflow code schedules it, the worker refuses to run a write_critical tool without an
// approval bound to the exact input: the last line of defence behind the session's approval flow.
let env: TestEnvironment;
beforeAll(async () => {
  env = await createTestEnvironment('bypass');
});
afterAll(async () => env?.close());

test('a write_critical tool scheduled without a matching approval never runs', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'support', 'bypass-workflow.ts'), logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } });
  const connection = await NativeConnection.connect({ address: testServer().address });
  const taskQueue = uniqueName('bypass');
  const worker = await createKeelWorker({ connection, taskQueue, agents: [createTestAgent(env.db)], database: env.db, store: env.store, workflowBundle: { code }, approverKeys: testApproverKeys() });
  const input = { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 };
  const attempt = (workflowId: string, approval?: { requestId: string; digest: string; approver: string; statement?: string }) =>
    env.temporal.workflow.execute('callToolDirectly', {
      taskQueue,
      workflowId,
      args: [{ sessionId: workflowId, agent: 'support', call: { id: 'toolu_x', name: 'process_payment', input }, idempotencyKey: `${workflowId}:x`, scope: { tenant: 'acme', subjects: [] }, ...(approval ? { approval } : {}) }],
    });
  try {
    await worker.runUntil(async () => {
      const unapproved = uniqueName('no-approval');
      const forged = uniqueName('forged-approval');
      const digest = sha256Hex(canonicalJson(input));
      const claimed = uniqueName('claimed-approval');
      const otherSession = uniqueName('other-session');
      const signed = (session: string, key = testKey('alice')) =>
        signDecision(key, { session, execution: 'any', request: 'apr-1', digest, decision: 'approve' });
      for (const run of [
        attempt(unapproved),
        attempt(forged, { requestId: 'apr-1', approver: 'mallory', digest: sha256Hex(canonicalJson({ ...input, amountCents: 1 })) }),
        // The right digest and a claimed approver, but no signature.
        attempt(claimed, { requestId: 'apr-1', approver: 'alice', digest }),
        // A real signature, for another session.
        attempt(otherSession, { requestId: 'apr-1', approver: 'alice', digest, statement: signed('some-other-session') }),
        // Signed by a key trusted only for another tenant.
        attempt(uniqueName('other-tenant-key'), { requestId: 'apr-1', approver: 'eve', digest, statement: signed('x', testKey('eve')) }),
      ]) {
        const error = await run.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WorkflowFailedError);
        const activity = (error as WorkflowFailedError).cause as ActivityFailure;
        expect(activity.cause).toBeInstanceOf(ApplicationFailure);
        expect((activity.cause as ApplicationFailure).type).toBe('UnapprovedCriticalCallError');
      }
      const { rows } = await env.db.query(`SELECT 1 FROM payments WHERE idempotency_key IN ($1, $2)`, [`${unapproved}:x`, `${forged}:x`]);
      expect(rows).toHaveLength(0);
      // With the approval of exactly this input, the same call runs.
      const approved = uniqueName('approved');
      const result = await attempt(approved, { requestId: 'apr-1', approver: 'alice', digest, statement: signed(approved) });
      expect(result).toMatchObject({ ok: true });
    });
  } finally {
    await connection.close();
  }
});
