import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevServerStartError, findFreePort, findTemporalCli, startDevServer, type DevServer } from '../../devserver';
import { bundleKeelWorkflows } from '../../workers/keel-worker';
import { prepareTestDatabase } from './test-database';

/** Starts one Temporal dev server, prepares PostgreSQL and bundles the workflows once for the whole test run. */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-test-'));
  const cliPath = await findTemporalCli({ log: (line) => console.log(`[temporal-cli] ${line}`) });
  const server = await startWithRetries(cliPath, dir);
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

/**
 * The dev server on a free port, tried up to three times: the server opens more ports than the one
 * given (its internal services pick theirs), and on a busy machine one can be taken between the
 * choice and the bind, which makes the server exit at start.
 */
async function startWithRetries(cliPath: string, dir: string): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      return await startDevServer({ port, headless: true, dbFile: join(dir, `temporal-${attempt}.db`), cliPath });
    } catch (error) {
      if (!(error instanceof DevServerStartError) || attempt === 3) throw error;
      console.log(`[keel dev-server] start ${attempt} failed (${error.message.split('\n')[0]}); retrying on another port`);
    }
  }
}
