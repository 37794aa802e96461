import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, findTemporalCli, startDevServer } from '../../devserver';
import { bundleKeelWorkflows } from '../../workers/keel-worker';
import { prepareTestDatabase } from './test-database';

/** Starts one Temporal dev server, prepares PostgreSQL and bundles the workflows once for the whole test run. */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-test-'));
  const cliPath = await findTemporalCli({ log: (line) => console.log(`[temporal-cli] ${line}`) });
  const port = await findFreePort();
  const server = await startDevServer({ port, headless: true, dbFile: join(dir, 'temporal.db'), cliPath });
  await prepareTestDatabase();
  const bundle = await bundleKeelWorkflows();
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.KEEL_TEST_DIR = dir;
  process.env.KEEL_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.KEEL_TEST_BUNDLE = bundlePath;
  process.env.KEEL_TEST_CLI_PATH = cliPath;
  (globalThis as { keelTestServer?: { stop(): Promise<void> } }).keelTestServer = server;
}
