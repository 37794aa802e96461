import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { ensureSearchAttributes, startDevServer } from '../devserver';
import { formatGateReport, loadSuite, runRegressionGate } from '../evaluation/regression-gate';
import { SuiteDefinitionError } from '../evaluation/suite';
import type { EvaluationCliValues } from '../client/evaluation-commands';
import { UsageError } from '../client/usage-error';
import { bundleKeelWorkflows } from '../workers/workflow-bundle';

/**
 * `keel eval run SUITE`: the regression gate. Loads the suite module, connects to Temporal (or with
 * `--dev-server` starts or reuses the local dev server), runs both configurations on in-process
 * workers, prints the side-by-side table (or JSON) and returns 1 on a regression.
 */
export async function runEvalRun(rest: string[], values: EvaluationCliValues, out: (line: string) => void): Promise<number> {
  const path = rest[0];
  if (!path) throw new UsageError('keel eval run needs a suite module, e.g. evaluation/suites/order-desk.ts');
  const modulePath = resolve(path);
  let suite;
  try {
    suite = loadSuite(modulePath);
  } catch (error) {
    if (error instanceof SuiteDefinitionError) throw new UsageError(error.message);
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(modulePath)) throw new UsageError(`no suite module at ${path}`);
    throw error;
  }
  const config = loadClientConnectConfig();
  let address = values.address ?? config.connectionOptions.address ?? 'localhost:7233';
  let namespace = values.namespace ?? config.namespace ?? 'default';
  if (values['dev-server']) {
    const server = await startDevServer({ detached: true, log: (line) => out(`dev server: ${line}`) });
    address = server.address;
    namespace = server.namespace;
    const operator = await NativeConnection.connect({ address });
    try {
      await ensureSearchAttributes(operator, namespace, KEEL_SEARCH_ATTRIBUTE_NAMES);
    } finally {
      await operator.close();
    }
  }
  const workerConnection = await NativeConnection.connect({ ...(config.connectionOptions as object), address });
  const clientConnection = await Connection.connect({ ...(config.connectionOptions as object), address });
  try {
    const temporal = new Client({ connection: clientConnection, namespace });
    const workflowBundle = values['workflow-bundle'] ? { codePath: resolve(values['workflow-bundle']) } : await bundleKeelWorkflows();
    const report = await runRegressionGate(suite, {
      temporal,
      connection: workerConnection,
      workflowBundle,
      ...(values.baseline ? { baseline: values.baseline } : {}),
      ...(values.candidate ? { candidate: values.candidate } : {}),
      ...(values.json ? {} : { log: out }),
    }).catch((error: unknown) => {
      throw error instanceof SuiteDefinitionError ? new UsageError(error.message) : error;
    });
    if (values.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatGateReport(report)) out(line);
    return report.comparison.ok ? 0 : 1;
  } finally {
    await clientConnection.close();
    await workerConnection.close();
  }
}

