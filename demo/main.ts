/**
 * The offline demo: starts what is missing (a Temporal dev server that keeps running, the scripted
 * model unless ANTHROPIC_API_KEY is set, a worker), runs one support session whose refund waits for
 * a human approval, prints its progress, its result and the link to its history in the Temporal UI.
 * The demo approves the refund itself after a few seconds unless `--wait-for-human` is given, in
 * which case it waits for `npm run keel -- approve …` or `temporal workflow signal …`.
 */
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createSupportAgent, openSupportDatabase } from '../agents';
import { KeelClient } from '../client';
import type { TraceEvent } from '../core/trace';
import { ensureSearchAttributes } from '../devserver';
import { demoServer } from './demo-server';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { ScriptedModelServer } from '../scripted-model';
import { createKeelWorker } from '../workers/keel-worker';
import { DEMO_INPUT, demoScenarios } from './support-scenario';
import { demoApprover } from './demo-keys';
import { relative } from 'node:path';

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const log = (line: string) => console.log(line);
  log('1/4 Temporal dev server');
  const server = await demoServer((line) => log(`    ${line}`));
  log(`    ${server.reused ? 'reusing' : 'started'} ${server.address}${server.uiUrl ? `, UI ${server.uiUrl}` : ''}`);

  let model: ScriptedModelServer | undefined;
  let modelURL: string | undefined;
  if (process.env.ANTHROPIC_API_KEY) {
    log('2/4 model: Claude (ANTHROPIC_API_KEY is set)');
  } else {
    model = new ScriptedModelServer({ scenarios: demoScenarios() });
    await model.start();
    modelURL = model.url;
    log(`2/4 model: scripted Anthropic Messages API at ${modelURL} (set ANTHROPIC_API_KEY to use Claude)`);
  }

  log('3/4 worker and its PostgreSQL (embedded unless KEEL_DATABASE_URL is set; bundling takes a few seconds)');
  const connection = await NativeConnection.connect({ address: server.address });
  await ensureSearchAttributes(connection, server.namespace, KEEL_SEARCH_ATTRIBUTE_NAMES);
  const taskQueue = 'keel-demo';
  const database = await openSupportDatabase();
  const approver = demoApprover();
  log(`    approver key: ${relative(process.cwd(), approver.keyPath)} (demo-supervisor, role support-lead; a development key made for this demo)`);
  const worker = await createKeelWorker({
    approverKeys: approver.trusted,
    connection,
    namespace: server.namespace,
    taskQueue,
    agents: [createSupportAgent(database)],
    database,
    ...(modelURL ? { model: { baseURL: modelURL, apiKey: 'offline-demo' } } : {}),
  });
  const running = worker.run();

  const client = await KeelClient.connect({ address: server.address, namespace: server.namespace, taskQueue });
  try {
    log('4/4 session');
    log(`    customer: "${DEMO_INPUT}"`);
    const session = await client.startSession({
      agent: 'support',
      input: DEMO_INPUT,
      scope: { tenant: 'acme', subjects: ['cus_ada'] },
      approvers: ['role:support-lead'],
      ...(process.env.ANTHROPIC_API_KEY ? { model: process.env.KEEL_DEMO_MODEL ?? 'claude-haiku-5-5' } : {}),
    });
    log(`    session ${session.sessionId}`);
    const waitForHuman = process.argv.includes('--wait-for-human');
    const announced = new Set<string>();
    const addressArg = ` --address ${server.address} --task-queue ${taskQueue}`;
    let autoApproval: NodeJS.Timeout | undefined;
    let shown = 0;
    const showProgress = async () => {
      const { events } = await session.trace();
      for (const event of events.slice(shown)) log(`    · ${describe(event)}`);
      shown = events.length;
    };
    const result = session.result();
    let done = false;
    void result.finally(() => (done = true));
    while (!done) {
      await showProgress().catch(() => undefined);
      const status = await session.status().catch(() => undefined);
      for (const pending of status?.pendingApprovals ?? []) {
        if (announced.has(pending.requestId)) continue;
        announced.add(pending.requestId);
        log(`    ⏸ approval needed: ${pending.tool} ${JSON.stringify(pending.input)} (request ${pending.requestId})`);
        log(`      agent's reason: ${pending.reason}`);
        log(`      input digest: ${pending.digest}`);
        const keyArg = relative(process.cwd(), approver.keyPath);
        log(`      approve: npm run keel -- approve ${session.sessionId} ${pending.requestId} --key ${keyArg}${addressArg}`);
        log(`      reject:  npm run keel -- reject ${session.sessionId} ${pending.requestId} --key ${keyArg} --reason "why"${addressArg}`);
        log(`      or sign a statement for the Temporal CLI: npm run keel -- statement approve ${session.sessionId} ${pending.requestId} --key ${keyArg}${addressArg}`);
        if (!waitForHuman) {
          log('      (the demo approves it in 3 s with that key; run with --wait-for-human to do it yourself)');
          autoApproval = setTimeout(() => {
            session
              .approve(pending.requestId, { key: approver.key, note: 'approved by the demo' })
              .then(() => log('      approved by demo-supervisor (accepted by the session)'))
              .catch((error: Error) => log(`      the demo's own approval was not taken: ${error.message}`));
          }, 3000);
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    clearTimeout(autoApproval);
    await showProgress();
    const final = await result;
    log('');
    log(`outcome: ${final.outcome}`);
    log(`answer:  ${final.output ?? '(none)'}`);
    log(
      `usage:   ${final.usage.modelCalls} model calls, ${final.usage.toolCalls} tool calls, ` +
        `${final.usage.inputTokens + final.usage.outputTokens} tokens, $${final.usage.costUsd.toFixed(6)}`,
    );
    if (server.uiUrl) log(`history: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${session.sessionId}`);
    log(`the dev server keeps running (data in ${join(ROOT, '.keel')}); stop it with: npm run dev-server -- stop`);
    if (final.outcome !== 'completed') process.exitCode = 1;
  } finally {
    await client.close();
    worker.shutdown();
    await running;
    await connection.close();
    await database.close();
    await model?.stop();
  }
}

function describe(event: TraceEvent): string {
  switch (event.type) {
    case 'model_call':
      return `model ${event['gen_ai.response.model']}: ${event['gen_ai.usage.input_tokens']}+${event['gen_ai.usage.output_tokens']} tokens, ${event.latencyMs} ms${event.toolCalls.length ? ` → ${event.toolCalls.join(', ')}` : ' → final answer'}`;
    case 'tool_call':
      return `tool ${event['gen_ai.tool.name']}(${JSON.stringify(event.input)}) ${event.ok ? '→' : '✗'} ${event.ok ? event.outputPreview.slice(0, 90) : event.error?.message}`;
    case 'approval_requested':
      return `approval requested for ${event.tool}: ${event.requestId}`;
    case 'approval_decided':
      return `approval ${event.requestId}: ${event.decision}${event.approver ? ` by ${event.approver}` : ''}`;
    case 'breaker_tripped':
      return `breaker tripped: ${event.detail}`;
    case 'session_ended':
      return `session ended: ${event.outcome}`;
    default:
      return event.type;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
