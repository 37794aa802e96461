/**
 * A Keel worker of the chaos run (bench/chaos.ts), in its own process so the run can SIGKILL it.
 * Prints `worker ready` once it polls, and `busy N` whenever its count of model requests and tool
 * runs in flight changes (the run tells a kill that landed during work by it).
 *
 * Env: CHAOS_TEMPORAL_ADDRESS, CHAOS_TASK_QUEUE, CHAOS_MODEL_URL, CHAOS_BUNDLE, CHAOS_DATABASE_URL,
 * CHAOS_APPROVER_KEYS; optional CHAOS_STORE_DIR and CHAOS_AUDIT_LOG (without them, Keel's defaults
 * for a worker with a database: content in `keel_content`, the audit in `keel_audit`, no files),
 * CHAOS_WORKER_IDENTITY (the Temporal worker identity, recorded in the histories) and
 * CHAOS_DB_POOL (connections, default 20).
 */
import { NativeConnection } from '@temporalio/worker';
import { ApproverKeyFile, FileAuditLog, FileContentStore, PostgresDatabase } from '../store';
import { createKeelWorker } from '../workers/keel-worker';
import { createChaosAgent } from './chaos-agent';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  let inFlight = 0;
  const busy = async <T>(work: () => Promise<T>): Promise<T> => {
    process.stdout.write(`busy ${++inFlight}\n`);
    try {
      return await work();
    } finally {
      process.stdout.write(`busy ${--inFlight}\n`);
    }
  };
  // Model requests in flight (the model client takes fetch when it is created, below).
  const fetchNow = globalThis.fetch;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => busy(() => fetchNow(...args))) as typeof fetch;

  const connection = await NativeConnection.connect({ address: env('CHAOS_TEMPORAL_ADDRESS') });
  const database = new PostgresDatabase(env('CHAOS_DATABASE_URL'), { max: Number(process.env.CHAOS_DB_POOL ?? 20) });
  const auditLog = process.env.CHAOS_AUDIT_LOG;
  const storeDir = process.env.CHAOS_STORE_DIR;
  const identity = process.env.CHAOS_WORKER_IDENTITY;
  const worker = await createKeelWorker({
    connection,
    taskQueue: env('CHAOS_TASK_QUEUE'),
    agents: [createChaosAgent(database, { busy })],
    database,
    sharedToolCache: false,
    monitor: false,
    evaluation: false,
    approverKeys: new ApproverKeyFile(env('CHAOS_APPROVER_KEYS')),
    ...(auditLog ? { audit: new FileAuditLog(auditLog) } : {}),
    ...(storeDir ? { store: new FileContentStore(storeDir) } : {}),
    ...(identity ? { worker: { identity } } : {}),
    model: { baseURL: env('CHAOS_MODEL_URL'), apiKey: 'chaos' },
    workflowBundle: { codePath: env('CHAOS_BUNDLE') },
    shutdownGraceTimeMs: 1000,
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
