import { temporal } from '@temporalio/proto';
import { localActivityOf } from '../client/local-activity-markers';
import { testKey } from './support/approver-keys';
import { expectReplays, sessionSuite, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

// Someone who can reach Temporal queries sessions without pause while they run (a dashboard, the
// Temporal UI, the inbox, or someone who wants to break replay). A query that comes with a workflow
// task while a local activity runs can make the task end at the activity's marker (see
// workflows/session-patches.ts); every history must still replay, as recorded and as it would have
// been with such a task after each local activity (expectReplays does both).
const suite = sessionSuite('query-storm', (db) => [createTestAgent(db)]);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Local activities whose marker ended their workflow task (a query's forced task followed at once). */
function forcedAfterLocalActivities(events: readonly HistoryEvent[]): number {
  return events.filter((e, i) => localActivityOf(e) && events[i + 1]?.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED).length;
}

test('sessions queried without pause from start to end, some approved meanwhile, finish and replay', async () => {
  const scope = { tenant: 'acme', subjects: ['cus_ada'] };
  const scripts = {
    answer: [{ toolCalls: [{ name: 'lookup_customer', input: { customer: 'cus_ada' } }] }, { text: 'done' }],
    approved: [{ toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 10 } }] }, { text: 'refunded' }],
  };
  const sessions = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const kind = i % 3 === 2 ? 'approved' : 'answer';
      const tag = uniqueName(`storm-${kind}`);
      suite.model.addScenario({ name: tag, match: tag, turns: scripts[kind] });
      return { kind, session: await suite.env.client.startSession({ agent: 'support', input: tag, scope }) };
    }),
  );
  let queries = 0;
  await Promise.all(
    sessions.map(async ({ session }) => {
      const approved = new Set<string>();
      for (;;) {
        const status = await session.status();
        queries += 1;
        for (const pending of status.pendingApprovals) {
          if (approved.has(pending.requestId)) continue;
          approved.add(pending.requestId);
          await session.approve(pending.requestId, { key: testKey('ops') });
        }
        if (!['starting', 'running', 'escalated', 'awaiting_approval'].includes(status.state)) return;
      }
    }),
  );
  let forced = 0;
  for (const { kind, session } of sessions) {
    expect(await session.result()).toMatchObject({ outcome: 'completed', output: kind === 'approved' ? 'refunded' : 'done' });
    await expectReplays(suite.env.temporal, session.sessionId);
    forced += forcedAfterLocalActivities((await session.workflow.fetchHistory()).events ?? []);
  }
  // How often the race happened in this run (timing decides; seen more on a quiet machine than under load): reported, not asserted.
  process.stderr.write(`[query-storm] ${queries} queries; ${forced} of ${sessions.length} sessions had a workflow task forced after a local activity\n`);
  expect(queries).toBeGreaterThan(sessions.length);
}, 240_000);

