/**
 * Entry point of a Keel worker serving the example agents. Connection settings come from Temporal's
 * environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, profiles);
 * KEEL_TASK_QUEUE, KEEL_DATABASE_URL (content, audit, ledger and traces in that PostgreSQL: the worker needs no files;
 * else an embedded PostgreSQL in .keel/pgdata and content in .keel/content: one worker only), KEEL_STORE_DIR
 * (content in files there even with a database), KEEL_AUDIT_LOG (a JSON-lines mirror of the audit table),
 * KEEL_APPROVER_KEYS (the trusted approver keys file each worker is given),
 * KEEL_METRICS_PORT (default 9464) and KEEL_METRICS_HOST (default 127.0.0.1: set 0.0.0.0 for a scraper on
 * another host) where `/healthz` answers 200 while the worker runs and `/metrics` serves Keel's metrics and the Temporal SDK's, whose own exporter listens
 * on KEEL_SDK_METRICS_ADDRESS (default 127.0.0.1:9465; "off" for none),
 * KEEL_ALERT_WEBHOOK_URL where drift alerts are POSTed (besides the log and the metric),
 * KEEL_DEPLOYMENT_NAME and KEEL_BUILD_ID (both or neither) the Worker Deployment Version the worker polls as
 * (sessions finish on the build they started on; see docs/production/rollout.md),
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns on OpenTelemetry tracing over
 * OTLP/HTTP, with OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES as usual
 * (docs/production/tracing.md),
 * KEEL_CONTENT_STORE=s3 (with KEEL_S3_BUCKET, KEEL_S3_PREFIX, KEEL_S3_ENDPOINT, AWS_REGION and the standard AWS
 * credentials; or `file`, `postgres`) the content store (docs/production/content-store.md),
 * ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL configure the rest.
 * SIGINT and SIGTERM drain in-flight activities, then exit.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { resolve } from 'node:path';
import { createSupportAgent, DEFAULT_EMBEDDED_DATA_DIR, openSupportDatabase } from '../agents';
import { defaultFileContentStore, FileAuditLog, openContentStoreFromEnv } from '../store';
import { ensureSearchAttributes } from '../devserver';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { createKeelWorker, DEFAULT_TASK_QUEUE } from './keel-worker';
import { tracingFromEnvironment } from './tracing-options';
import { deploymentFromEnv } from './worker-deployment';
import { Client } from '@temporalio/client';
import { DEFAULT_SDK_METRICS_ADDRESS, installSdkMetrics, KeelMetrics, serveMetrics, waitingSessionsFromVisibility } from '../metrics';
import { logAlertSink, metricAlertSink, webhookAlertSink } from '../alerts';

/** Why the worker cannot call a model, and how to give it one; undefined when one is configured. */
function missingModelHelp(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_BASE_URL) return undefined;
  return [
    'keel worker: no model is configured, so no session could make progress.',
    '  - Claude: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a proxy);',
    '  - offline: run the scripted model (npx tsx scripted-model/cli.ts --scenarios SCENARIOS.json --port 4010,',
    '    see scripted-model/README.md) and set ANTHROPIC_BASE_URL=http://127.0.0.1:4010;',
    '  - or try everything at once with npm run demo.',
  ].join('\n');
}

async function main(): Promise<void> {
  const noModel = missingModelHelp(process.env);
  if (noModel) {
    console.error(noModel);
    process.exit(2);
  }
  const deployment = deploymentFromEnv(); // before connecting: a half-set deployment is a configuration error
  const cached = process.env.KEEL_MAX_CACHED_WORKFLOWS;
  if (cached !== undefined && !/^\d{1,7}$/.test(cached)) {
    console.error(`KEEL_MAX_CACHED_WORKFLOWS must be a whole number of workflows, 0 or more (got ${JSON.stringify(cached.slice(0, 40))})`);
    process.exit(2);
  }
  const config = loadClientConnectConfig();
  const address = config.connectionOptions.address ?? 'localhost:7233';
  const namespace = config.namespace ?? 'default';
  const taskQueue = process.env.KEEL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
  const sdkMetricsAddress = process.env.KEEL_SDK_METRICS_ADDRESS ?? DEFAULT_SDK_METRICS_ADDRESS;
  const sdkMetricsUrl = sdkMetricsAddress === 'off' ? undefined : installSdkMetrics(sdkMetricsAddress); // before the first connection
  const connection = await NativeConnection.connect({ ...config.connectionOptions, address });
  try {
    await ensureSearchAttributes(connection, namespace, KEEL_SEARCH_ATTRIBUTE_NAMES);
  } catch (error) {
    console.warn(`could not check Keel's search attributes (${(error as Error).message}); register them with the server's operator tools`);
  }
  const database = await openSupportDatabase();
  // With KEEL_DATABASE_URL, content and audit are in PostgreSQL (no files: run as many workers on as many hosts as you like).
  // Without it, the embedded database in the source tree is one process's: files beside it, which `keel` on this host reads.
  const embedded = !process.env.KEEL_DATABASE_URL;
  if (embedded) console.warn(`keel worker: no KEEL_DATABASE_URL: embedded PostgreSQL in ${DEFAULT_EMBEDDED_DATA_DIR} and content in files: ONE worker only (set KEEL_DATABASE_URL to run several)`);
  const local = embedded ? { store: defaultFileContentStore(), audit: new FileAuditLog(process.env.KEEL_AUDIT_LOG ?? resolve(__dirname, '..', '.keel', 'audit.jsonl')) } : {};
  // KEEL_CONTENT_STORE=s3|file|postgres names the content store (docs/production/content-store.md); checked here, before polling.
  const namedStore = process.env.KEEL_CONTENT_STORE ? { store: await openContentStoreFromEnv(process.env, database) } : {};
  const metrics = new KeelMetrics({ processMetrics: true });
  // One value per worker (bounded): a ramp compares the candidate build's sessions with the current build's.
  if (deployment) metrics.registry.setDefaultLabels({ deployment: deployment.name, build_id: deployment.buildId });
  metrics.trackWaitingSessions(waitingSessionsFromVisibility(new Client({ connection, namespace }), { taskQueue }));
  const running: { worker?: { getState(): string } } = {}; // GET /healthz: ready while the worker runs (not while it starts or drains)
  const ready = () => running.worker?.getState() === 'RUNNING';
  const metricsServer = await serveMetrics(metrics, Number(process.env.KEEL_METRICS_PORT ?? 9464), process.env.KEEL_METRICS_HOST ?? '127.0.0.1', sdkMetricsUrl ? { sdkMetricsUrl, ready } : { ready });
  const webhook = process.env.KEEL_ALERT_WEBHOOK_URL;
  const alertSinks = [logAlertSink, metricAlertSink(metrics), ...(webhook ? [webhookAlertSink(webhook)] : [])];
  const tracing = tracingFromEnvironment(process.env);
  const worker = await createKeelWorker({ connection, namespace, taskQueue, agents: [createSupportAgent(database)], database, ...local, ...namedStore, metrics, alertSinks, ...(deployment ? { deployment } : {}), tracing, ...(cached ? { maxCachedWorkflows: Number(cached) } : {}) });
  running.worker = worker;
  console.log(`keel worker: metrics at ${metricsServer.url}`);
  console.log(`keel worker: task queue "${taskQueue}" on ${address} (namespace ${namespace}); agents: support`);
  if (tracing) console.log(`keel worker: tracing over OTLP to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  if (deployment) console.log(`keel worker: deployment ${deployment.name}, build ${deployment.buildId} (new sessions reach it once it is current or ramping: keel rollout)`);
  await worker.run();
  await metricsServer.close();
  await database.close();
  await connection.close();
  console.log('keel worker: stopped');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
