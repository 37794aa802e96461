import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ReplayWorkerOptions, Worker, WorkerOptions, WorkerPlugin, WorkflowBundleOption } from '@temporalio/worker';
import { createApproverKeyActivities, createEvaluationActivities, createSessionActivities, ModelClient, type ContextWindow, type ModelEndpoint } from '../activities';
import type { MonitorScoreOptions } from '../workflows/api';
import type { Agent } from '../core/agent';
import { AgentRegistry } from '../core/agent-registry';
import { closeToolSources } from '../core/tool-source';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { logAlertSink, metricAlertSink, type AlertSink } from '../alerts';
import type { DriftOptions } from '../core/drift-detector';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { ensureSearchAttributes } from '../devserver';
import {
  ApproverKeyFile,
  DatabaseAuditLog,
  defaultFileContentStore,
  PostgresContentStore,
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
import { bundleKeelWorkflows, workflowsPath } from './workflow-bundle';
import type { Tracer } from '@opentelemetry/api';
import type { KeelTracing } from './tracing';
import { tracingWorkflowInterceptorModules, type KeelTracingOptions } from './tracing-options';
import { workerDeploymentOptions } from './worker-deployment';
import type { KeelWorkerDeployment } from '../core/worker-deployment';

/** What Keel adds to a worker ({@link KeelPlugin}); every field has a documented default. */
export interface KeelPluginOptions {
  /**
   * The public keys this deployment trusts to sign decisions (approve, reject, resolveEscalation),
   * per tenant. Sessions load their tenant's keys when they start to wait for a person and every
   * few minutes while they wait, so rotating a key is editing the file.
   * @default an {@link ApproverKeyFile} at `KEEL_APPROVER_KEYS`, else `.keel/approver-keys.json` when it exists; else no key (every decision is refused)
   */
  approverKeys?: ApproverKeySource;
  /** The agents this worker serves. */
  agents: readonly Agent[];
  /**
   * Where session content (transcripts, tool outputs) lives, scoped by tenant.
   * @default a file content store at `KEEL_STORE_DIR` when it is set; else PostgreSQL (`keel_content`) when there is a `database`; else files in `.keel/content`
   */
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
  /**
   * @default a {@link FileAuditLog} at `KEEL_AUDIT_LOG` when it is set; else the `keel_audit` table
   * alone ({@link DatabaseAuditLog}, no file) when there is a `database`; else `.keel/audit.jsonl`
   */
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
  /**
   * A prebuilt bundle of Keel's workflows (see {@link bundleKeelWorkflows}), used when the worker
   * has no workflows of its own. @default bundles Keel's workflows at start (or with the worker's own)
   */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Worker Deployment Versioning: the deployment and build this worker polls as. Sessions and
   * orchestrations then finish on the build they started on (pinned); new ones start on the
   * deployment's current (or ramping) build, set with `keel rollout` (docs/production/rollout.md).
   * Exclusive with the worker's own `workerDeploymentOptions`.
   * @default none: unversioned, every worker of the task queue serves every workflow
   */
  deployment?: KeelWorkerDeployment;
  /**
   * OpenTelemetry tracing over OTLP (docs/production/tracing.md): a `RunWorkflow:agentSession` span
   * per session run, `StartActivity`/`RunActivity` spans per activity, and GenAI spans
   * `chat <model>` and `execute_tool <tool>` (names and numbers only, never content). Keel's own
   * workflows are then bundled with the tracing workflow interceptors; a prebuilt `workflowBundle`
   * must include them (`bundleKeelWorkflows({ workflowInterceptorModules: tracingWorkflowInterceptorModules() })`).
   * Pending spans are flushed when the worker stops. `{}` takes every default of {@link KeelTracingOptions}.
   * @default false (no spans, no interceptors; the worker entry turns it on from `OTEL_EXPORTER_OTLP_ENDPOINT`)
   */
  tracing?: false | KeelTracingOptions;
}


/**
 * Keel's activities with what they need (ledger, trace and evaluation stores migrated), and the
 * metrics their sinks report to.
 */
export async function createKeelActivities(options: KeelPluginOptions, telemetry: { tracer?: Tracer } = {}): Promise<{ activities: Record<string, (...args: never[]) => unknown>; metrics: KeelMetrics }> {
  const agents = new AgentRegistry(options.agents);
  const metrics = options.metrics ?? new KeelMetrics();
  const store = options.store ?? (await defaultContentStore(options.database));
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
    audit: options.audit ?? defaultAuditLog(options.database),
    model: new ModelClient(options.model, telemetry),
    ...(telemetry.tracer ? { tracer: telemetry.tracer } : {}),
    ...(options.contextWindow ? { contextWindow: options.contextWindow } : {}),
  });
  const evaluation = options.evaluation === false ? undefined : (options.evaluation ?? {});
  const evaluationActivities = evaluation
    ? createEvaluationActivities({
        ...(traces ? { traces } : {}),
        ...(evaluations ? { evaluations } : {}),
        store,
        model: new ModelClient(evaluation.judge ?? options.model, telemetry),
        metrics,
        ...(options.monitor === false ? {} : { monitor: { ...(options.monitor?.options ? { options: options.monitor.options } : {}), ...(evaluation.scoreOptions ? { scoreOptions: evaluation.scoreOptions } : {}) } }),
      })
    : {};
  return { activities: { ...activities, ...evaluationActivities, ...createApproverKeyActivities(approverKeys) } as Record<string, (...args: never[]) => unknown>, metrics };
}


/**
 * The content store of a worker that names none: files at `KEEL_STORE_DIR` when it is set (one host,
 * or a shared volume); PostgreSQL (`keel_content`, created if missing) when the worker has a
 * database, so workers on any host share it and need no files; else files in `.keel/content`.
 */
async function defaultContentStore(database: SqlDatabase | undefined): Promise<ContentStore> {
  if (process.env.KEEL_STORE_DIR || !database) return defaultFileContentStore();
  const store = new PostgresContentStore(database);
  await store.migrate();
  return store;
}

/** The audit log of a worker that names none: `KEEL_AUDIT_LOG`; else the database's `keel_audit` alone; else `.keel/audit.jsonl`. */
function defaultAuditLog(database: SqlDatabase | undefined): AuditLog {
  const path = process.env.KEEL_AUDIT_LOG;
  if (!path && database) return new DatabaseAuditLog(database);
  return new FileAuditLog(path ?? resolve(__dirname, '..', '.keel', 'audit.jsonl'));
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


/**
 * Keel as a Temporal worker plugin: adds Keel's workflows (next to the worker's own), activities and
 * metric sinks to any `Worker.create`, registers Keel's search attributes where the server allows,
 * and leaves every other worker option as it was.
 *
 * ```ts
 * const worker = await Worker.create({
 *   connection, taskQueue: 'keel', workflowsPath: require.resolve('./my-workflows'), activities: myActivities,
 *   plugins: [new KeelPlugin({ agents: [support], database })],
 * });
 * ```
 */
export class KeelPlugin implements WorkerPlugin {
  readonly name = 'keel';
  private metricsUsed: KeelMetrics | undefined;
  private tracingUsed: KeelTracing | undefined;

  constructor(private readonly options: KeelPluginOptions) {}

  /** The metrics Keel's activities and sinks report to (after the worker was configured). */
  get metrics(): KeelMetrics | undefined {
    return this.metricsUsed;
  }

  async configureWorker(options: WorkerOptions): Promise<WorkerOptions> {
    const tracing = this.options.tracing ? new (loadTracing().KeelTracing)(this.options.tracing) : undefined;
    this.tracingUsed = tracing;
    const { activities, metrics } = await createKeelActivities(this.options, tracing ? { tracer: tracing.tracer } : {});
    const connection = options.connection as Parameters<typeof ensureSearchAttributes>[0] | undefined;
    if (connection && 'operatorService' in connection) {
      await ensureSearchAttributes(connection, options.namespace ?? 'default', KEEL_SEARCH_ATTRIBUTE_NAMES).catch((error: Error) =>
        console.warn(`keel plugin: could not register Keel's search attributes (${error.message}); register ${KEEL_SEARCH_ATTRIBUTE_NAMES.join(', ')} (Keyword) with the server's operator tools`),
      );
    }
    this.metricsUsed = metrics;
    const own = options.activities as Record<string, unknown> | undefined;
    const clash = Object.keys(own ?? {}).filter((name) => name in activities);
    if (clash.length) throw new Error(`keel plugin: the worker's own activities ${clash.map((n) => `"${n}"`).join(', ')} have the names of Keel's`);
    const workflows = this.workflows(options);
    return {
      ...options,
      // Keel's workflows alone: the cached bundle (built once per code version), so a worker starts in about a second.
      ...(workflows.workflowsPath === workflowsPath()
        ? { workflowBundle: await bundleKeelWorkflows(tracing ? { workflowInterceptorModules: tracingWorkflowInterceptorModules() } : {}) }
        : workflows),
      // Beside the worker's own workflows, Keel's modules are still evaluated once and shared (see bundleKeelWorkflows).
      ...(workflows.workflowsPath && workflows.workflowsPath !== workflowsPath()
        ? { bundlerOptions: { ...options.bundlerOptions, preloadModules: [...(options.bundlerOptions?.preloadModules ?? []), workflowsPath()] } }
        : {}),
      activities: { ...own, ...activities },
      sinks: { ...options.sinks, ...keelMetricsSinks(metrics), ...tracing?.workflowSinks() },
      ...(tracing ? { interceptors: this.tracingInterceptors(options, tracing) } : {}),
      ...(this.options.deployment ? { workerDeploymentOptions: workerDeploymentOptions(this.options.deployment, options.workerDeploymentOptions) } : {}),
    };
  }

  configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    const replay = { ...options, ...this.workflows(options) };
    if (!this.options.tracing) return replay;
    // The same workflow code as a traced worker runs; the span sink is never called in a replay.
    const workflowModules = replay.workflowsPath ? [...(options.interceptors?.workflowModules ?? []), ...tracingWorkflowInterceptorModules()] : undefined;
    return {
      ...replay,
      sinks: { ...options.sinks, exporter: { export: { fn: () => undefined } } },
      ...(workflowModules ? { interceptors: { ...options.interceptors, workflowModules } } : {}),
    };
  }

  async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    try {
      return await next(worker);
    } finally {
      await closeToolSources(this.options.agents); // MCP servers' connections end with the worker
      // Spans still batched (the sessions' last ones) go out before the worker's run ends.
      await this.tracingUsed?.shutdown().catch((error: Error) => console.warn(`keel tracing: could not export the last spans (${error.message})`));
    }
  }

  /** The worker's interceptors with tracing's: activity spans, and workflow spans when Keel bundles with the worker's own workflows. */
  private tracingInterceptors(options: WorkerOptions, tracing: KeelTracing): NonNullable<WorkerOptions['interceptors']> {
    const own = options.interceptors ?? {};
    const prebuilt = options.workflowBundle ?? (options.workflowsPath ? undefined : this.options.workflowBundle);
    if (prebuilt && !bundleHasTracing(prebuilt)) {
      console.warn('keel tracing: the prebuilt workflow bundle has no tracing interceptors, so sessions make no workflow spans; build it with bundleKeelWorkflows({ workflowInterceptorModules: tracingWorkflowInterceptorModules() })');
    }
    return {
      ...own,
      activity: [...tracing.activityInterceptors(), ...(own.activity ?? [])],
      ...(options.workflowsPath ? { workflowModules: [...(own.workflowModules ?? []), ...tracingWorkflowInterceptorModules()] } : {}),
    };
  }

  /**
   * Which workflow code the worker runs: its own module with Keel's beside it (a generated entry
   * that exports both), a bundle it brings (which must include Keel's: see `bundleKeelWorkflows`),
   * or Keel's alone.
   */
  private workflows(options: { workflowsPath?: string; workflowBundle?: WorkflowBundleOption }): { workflowsPath?: string; workflowBundle?: WorkflowBundleOption } {
    if (options.workflowBundle) return { workflowBundle: options.workflowBundle };
    if (options.workflowsPath) return { workflowsPath: combinedWorkflows(options.workflowsPath) };
    return this.options.workflowBundle ? { workflowBundle: this.options.workflowBundle } : { workflowsPath: workflowsPath() };
  }
}

/** The tracing module, loaded only by a worker with tracing on (OpenTelemetry's SDK is not loaded otherwise). */
function loadTracing(): typeof import('./tracing') {
  return require('./tracing') as typeof import('./tracing');
}

/** Whether a prebuilt workflow bundle includes the tracing workflow interceptors (it names their class). */
function bundleHasTracing(bundle: WorkflowBundleOption): boolean {
  try {
    const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
    return code.includes('OpenTelemetryInboundInterceptor');
  } catch {
    return false;
  }
}

/**
 * A workflows entry that exports the worker's own workflows and Keel's (bundled together). It is
 * written under `node_modules/.cache/keel-workflows/` of the current directory, so the bundler
 * resolves the Temporal SDK from the project, and named by the two paths it joins.
 */
export function combinedWorkflows(own: string): string {
  const modules = join(process.cwd(), 'node_modules');
  const dir = existsSync(modules) ? join(modules, '.cache', 'keel-workflows') : mkdtempSync(join(tmpdir(), 'keel-workflows-'));
  mkdirSync(dir, { recursive: true });
  const sources = [resolve(own), workflowsPath()];
  const entry = join(dir, `${createHash('sha256').update(sources.join('\n')).digest('hex').slice(0, 16)}.js`);
  writeFileSync(entry, `module.exports = { ...require(${JSON.stringify(sources[0])}), ...require(${JSON.stringify(sources[1])}) };\n`);
  return entry;
}
