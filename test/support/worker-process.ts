/**
 * A Keel worker in its own process, so that a test can kill it (SIGKILL) mid-activity.
 * Env: KEEL_TEST_TEMPORAL_ADDRESS, KEEL_TEST_BUNDLE, KEEL_WORKER_TASK_QUEUE, KEEL_WORKER_MODEL_URL, KEEL_STORE_DIR;
 * optional KEEL_WORKER_AUDIT_LOG (the audit log file) and KEEL_WORKER_STALL_IN_AUDIT_MS (each audit
 * log write waits that long first, so a test can kill the worker after the ledger's completion).
 */
import { NativeConnection } from '@temporalio/worker';
import { FileAuditLog, FileContentStore, PostgresDatabase, type AuditLog } from '../../store';
import { TEST_DATABASE_URL } from './test-database';
import { createKeelWorker } from '../../workers/keel-worker';
import { createTestAgent } from './fixture-agents';
import { testApproverKeys } from './approver-keys';

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const connection = await NativeConnection.connect({ address: env('KEEL_TEST_TEMPORAL_ADDRESS') });
  const database = new PostgresDatabase(TEST_DATABASE_URL);
  const auditPath = process.env.KEEL_WORKER_AUDIT_LOG;
  const auditStall = Number(process.env.KEEL_WORKER_STALL_IN_AUDIT_MS ?? 0);
  const file = auditPath ? new FileAuditLog(auditPath) : undefined;
  const audit: AuditLog | undefined = file && auditStall
    ? { record: async (entry) => { await new Promise((r) => setTimeout(r, auditStall)); await file.record(entry); }, has: (key) => file.has(key) }
    : file;
  const worker = await createKeelWorker({
    connection,
    taskQueue: env('KEEL_WORKER_TASK_QUEUE'),
    agents: [createTestAgent(database, { stallAfterEffectMs: Number(process.env.KEEL_WORKER_STALL_AFTER_EFFECT_MS ?? 0) })],
    database,
    sharedToolCache: false, // as in the in-process test workers (see environment.ts)
    approverKeys: testApproverKeys(),
    ...(audit ? { audit } : {}),
    store: new FileContentStore(env('KEEL_STORE_DIR')),
    model: { baseURL: env('KEEL_WORKER_MODEL_URL'), apiKey: 'test' },
    workflowBundle: { codePath: env('KEEL_TEST_BUNDLE') },
  });
  const running = worker.run();
  console.log('worker ready');
  await running;
  await database.close();
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
