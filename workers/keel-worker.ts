import { join, resolve } from 'node:path';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createApproverKeyActivities, createEvaluationActivities, createSessionActivities, ModelClient, type ContextWindow, type ModelEndpoint } from '../activities';
import type { MonitorScoreOptions } from '../workflows/api';
import type { Agent } from '../core/agent';
import { AgentRegistry } from '../core/agent-registry';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { logAlertSink, metricAlertSink, type AlertSink } from '../alerts';
import type { DriftOptions } from '../core/drift-detector';
import { existsSync } from 'node:fs';
import {
  ApproverKeyFile,
  defaultFileContentStore,
  EvaluationStore,
  FileAuditLog,
  IdempotencyLedger,
  SharedToolCache,
  TraceStore,
  type ApproverKeySource,
  type AuditLog,
  type ContentStore,
  type SharedToolCacheOptions,
  type SqlDatabase,
} from '../store';

/** Task queue of Keel's workers unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'keel';


/** Options of {@link createKeelWorker}. */
export interface KeelWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default {@link DEFAULT_TASK_QUEUE} */
  taskQueue?: string;
  /**
   * The public keys this deployment trusts to sign decisions (approve, reject, resolveEscalation),
   * per tenant. Sessions load their tenant's keys when they start to wait for a person and every
   * few minutes while they wait, so rotating a key is editing the file.
   * @default an {@link ApproverKeyFile} at `KEEL_APPROVER_KEYS`, else `.keel/approver-keys.json` when it exists; else no key (every decision is refused)
   */
  approverKeys?: ApproverKeySource;
  /** The agents this worker serves. */
  agents: readonly Agent[];
  /** @default a file content store at `KEEL_STORE_DIR` or `.keel/content` */
  store?: ContentStore;
  /**
   * The database of the idempotency ledger, the trace store and the shared tool-result cache (their
   * tables are created at start). Without one, side-effecting tools must deduplicate by their
   * idempotency key themselves, finished sessions' traces live only as long as Temporal keeps their
   * history, and tool results are cached within a session only.
   */
  database?: SqlDatabase;
  /**
   * The shared tool-result cache in `database`, used by read tools declared `cache: { shared }`
   * and invalidated by writes that declare `invalidates`; `false` keeps results within sessions.
   * Every worker of the database should agree: a write on a worker without it invalidates nothing.
   * @default on when there is a `database`
   */
  sharedToolCache?: false | SharedToolCacheOptions;
  /** @default a {@link FileAuditLog} at `KEEL_AUDIT_LOG` or `.keel/audit.jsonl` */
  audit?: AuditLog;
  /** @default Anthropic's API with `ANTHROPIC_API_KEY`, or `ANTHROPIC_BASE_URL` */
  model?: ModelEndpoint;
  contextWindow?: ContextWindow;
  /** Where the worker's metrics go; serve them with `serveMetrics`. @default a fresh {@link KeelMetrics} */
  metrics?: KeelMetrics;
  /**
   * Report every finished session to its agent's behaviour monitor (a durable `agentMonitor`
   * workflow per agent on this task queue), with the drift detector's options. @default on, defaults
   */
  monitor?: false | { options?: Partial<DriftOptions> };
  /**
   * The online evaluation (`sessionEvaluation` workflow, run by a Schedule): its activities sample
   * archived traces, call the judge model and store scores and reviews, so they need the `database`
   * (without one they fail with `EvaluationUnavailableError`). `judge` is the judge model's endpoint;
   * `scoreOptions` tune the monitors' judge-score drift detector.
   * @default on; judge at the agents' endpoint (`model`)
   */
  evaluation?: false | { judge?: ModelEndpoint; scoreOptions?: MonitorScoreOptions };
  /** Where the monitors' drift alerts go. @default log (stderr) and the `keel_drift_alerts_total` metric */
  alertSinks?: readonly AlertSink[];
  /** A prebuilt bundle (see {@link bundleKeelWorkflows}); @default bundles Keel's workflows at start */
  workflowBundle?: WorkflowBundleOption;
  /** Time given to in-flight activities on shutdown. @default 10000 */
  shutdownGraceTimeMs?: number;
  /** @default 100 */
  maxConcurrentActivityTaskExecutions?: number;
}

/** Bundles Keel's workflow code once, so that many workers can start without bundling again. */
export async function bundleKeelWorkflows(): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger });
  return { code };
}

/** Creates a worker that runs Keel's agent sessions for the given agents. */
export async function createKeelWorker(options: KeelWorkerOptions): Promise<Worker> {
  const agents = new AgentRegistry(options.agents);
  const metrics = options.metrics ?? new KeelMetrics();
  const store = options.store ?? defaultFileContentStore();
  let ledger: IdempotencyLedger | undefined;
  let traces: TraceStore | undefined;
  let evaluations: EvaluationStore | undefined;
  let sharedCache: SharedToolCache | undefined;
  if (options.database) {
    if (options.sharedToolCache !== false) {
      sharedCache = new SharedToolCache(options.database, options.sharedToolCache ?? {});
      await sharedCache.migrate();
    }
    ledger = new IdempotencyLedger(options.database);
    await ledger.migrate();
    traces = new TraceStore(options.database);
    await traces.migrate();
    if (options.evaluation !== false) {
      evaluations = new EvaluationStore(options.database);
      await evaluations.migrate();
      const store = evaluations;
      const served = new Set(agents.names());
      // This worker's agents only: the gauge of a worker reflects what it serves.
      // A served agent with no open review reads 0, not absent.
      metrics.trackReviewQueue(async () => {
        const open = await store.openReviewCounts();
        return Object.fromEntries([...served].map((agent) => [agent, open[agent] ?? 0]));
      });
    }
  }
  const approverKeys = options.approverKeys ?? defaultApproverKeys();
  const activities = createSessionActivities({
    agents,
    ...(approverKeys ? { approverKeys } : {}),
    ...(ledger ? { ledger } : {}),
    ...(traces ? { traces } : {}),
    ...(sharedCache ? { sharedCache } : {}),
    ...(options.monitor === false ? {} : { monitor: options.monitor ?? {} }),
    alertSinks: options.alertSinks ?? [logAlertSink, metricAlertSink(metrics)],
    metrics,
    store,
    audit: options.audit ?? new FileAuditLog(process.env.KEEL_AUDIT_LOG ?? resolve(__dirname, '..', '.keel', 'audit.jsonl')),
    model: new ModelClient(options.model),
    ...(options.contextWindow ? { contextWindow: options.contextWindow } : {}),
  });
  const evaluation = options.evaluation === false ? undefined : (options.evaluation ?? {});
  const evaluationActivities = evaluation
    ? createEvaluationActivities({
        ...(traces ? { traces } : {}),
        ...(evaluations ? { evaluations } : {}),
        store,
        model: new ModelClient(evaluation.judge ?? options.model),
        metrics,
        ...(options.monitor === false ? {} : { monitor: { ...(options.monitor?.options ? { options: options.monitor.options } : {}), ...(evaluation.scoreOptions ? { scoreOptions: evaluation.scoreOptions } : {}) } }),
      })
    : {};
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: { ...activities, ...evaluationActivities, ...createApproverKeyActivities(approverKeys) },
    sinks: keelMetricsSinks(metrics),
    shutdownGraceTime: options.shutdownGraceTimeMs ?? 10_000,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
  });
}

/** The trusted key file of `KEEL_APPROVER_KEYS`, or `.keel/approver-keys.json` when it exists. */
function defaultApproverKeys(): ApproverKeySource | undefined {
  const configured = process.env.KEEL_APPROVER_KEYS;
  if (configured) return new ApproverKeyFile(resolve(configured));
  const local = resolve(__dirname, '..', '.keel', 'approver-keys.json');
  if (existsSync(local)) return new ApproverKeyFile(local);
  console.warn('keel worker: no approver keys (KEEL_APPROVER_KEYS): every approval and escalation decision will be refused');
  return undefined;
}

function workflowsPath(): string {
  return join(__dirname, '..', 'workflows', 'index.ts');
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
