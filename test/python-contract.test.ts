import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testServer, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { testKeyFile } from './support/approver-keys';

// Another language drives the documented contract: Temporal's Python SDK and the JSON Schemas in
// schemas/ only (examples/python/keel_contract.py): start, status, a signed approval, the result.
const suite = sessionSuite('python-contract', (db) => [createTestAgent(db)]);
const root = join(__dirname, '..');

test('a Python client starts a session, reads its status, approves with a signed statement and gets the result', async () => {
  const tag = uniqueName('python');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn === 0
        ? { text: 'Refunding.', toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 1200 } }] }
        : { text: ctx.toolResults[0]?.isError ? 'not refunded' : 'refunded' },
  });
  const { stdout } = await promisify(execFile)(
    'python3',
    [join(root, 'examples', 'python', 'keel_contract.py'), '--schemas', join(root, 'schemas'), '--key', testKeyFile('alice', testServer().dir),
      '--agent', 'support', '--tenant', 'acme', '--subject', 'cus_ada', '--approver', 'alice', '--input', tag],
    { env: { ...process.env, TEMPORAL_ADDRESS: testServer().address, KEEL_TASK_QUEUE: suite.env.taskQueue }, timeout: 120_000 },
  );
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^started py-session-/);
  expect(lines).toContain('approval needed: process_payment {"orderId": "ord_1001", "kind": "refund", "amountCents": 1200} (digest ' + lines.find((l) => l.includes('digest'))!.split('digest ')[1]);
  expect(lines.find((l) => l.startsWith('forged statement refused:'))).toMatch(/refused: the signature does not verify under key "test-alice"/);
  expect(lines).toContain('accepted: approve apr-1-process_payment by alice');
  expect(JSON.parse(lines.at(-1)!)).toEqual({ outcome: 'completed', output: 'refunded' });
  const events = (await suite.env.client.getSession(lines[0]!.replace('started ', '')).trace()).events;
  expect(events).toContainEqual(expect.objectContaining({ type: 'approval_decided', approver: 'alice', sender: 'python-example', via: 'update' }));
}, 150_000);

test('the shipped JSON Schemas are the ones the zod schemas generate', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'generate-schemas.ts'), '--check']);
  expect(stdout).toMatch(/schemas\/ is up to date/);
});
