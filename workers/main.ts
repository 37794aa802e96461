/**
 * Entry point of a Keel worker serving the example agents. Connection settings come from Temporal's
 * environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, profiles);
 * KEEL_TASK_QUEUE, KEEL_STORE_DIR, KEEL_DATABASE_URL (else an embedded PostgreSQL in .keel/pgdata),
 * KEEL_METRICS_PORT (default 9464) and KEEL_METRICS_HOST (default 127.0.0.1: set 0.0.0.0 for a scraper on
 * another host) where `/metrics` serves Keel's metrics and the Temporal SDK's, whose own exporter listens
 * on KEEL_SDK_METRICS_ADDRESS (default 127.0.0.1:9465; "off" for none),
 * KEEL_ALERT_WEBHOOK_URL where drift alerts are POSTed (besides the log and the metric),
 * ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL configure the rest.
 * SIGINT and SIGTERM drain in-flight activities, then exit.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createSupportAgent, openSupportDatabase } from '../agents';
import { ensureSearchAttributes } from '../devserver';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { createKeelWorker, DEFAULT_TASK_QUEUE } from './keel-worker';
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
  const metrics = new KeelMetrics({ processMetrics: true });
  metrics.trackWaitingSessions(waitingSessionsFromVisibility(new Client({ connection, namespace }), { taskQueue }));
  const metricsServer = await serveMetrics(metrics, Number(process.env.KEEL_METRICS_PORT ?? 9464), process.env.KEEL_METRICS_HOST ?? '127.0.0.1', sdkMetricsUrl ? { sdkMetricsUrl } : {});
  const webhook = process.env.KEEL_ALERT_WEBHOOK_URL;
  const alertSinks = [logAlertSink, metricAlertSink(metrics), ...(webhook ? [webhookAlertSink(webhook)] : [])];
  const worker = await createKeelWorker({ connection, namespace, taskQueue, agents: [createSupportAgent(database)], database, metrics, alertSinks });
  console.log(`keel worker: metrics at ${metricsServer.url}`);
  console.log(`keel worker: task queue "${taskQueue}" on ${address} (namespace ${namespace}); agents: support`);
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
