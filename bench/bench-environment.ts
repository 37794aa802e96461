import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { findFreePort, startDevServer, type DevServer } from '../devserver';
import { FileContentStore } from '../store';
import { bundleKeelWorkflows } from '../workers/keel-worker';

/** What every benchmark of a run shares: one fresh dev server, its connections, Keel's bundle. */
export interface BenchEnvironment {
  /** `host:port` of the dev server. */
  readonly address: string;
  /** Temporary folder of the run: the server's database and the content store. */
  readonly dir: string;
  /** For workers. */
  readonly connection: NativeConnection;
  /** For starting workflows and reading histories. */
  readonly client: Client;
  /** Keel's workflow code, bundled once for every Keel worker of the run. */
  readonly keelBundle: { code: string };
  /** The content store of Keel's workers (in `dir`). */
  readonly store: FileContentStore;
  /** Milliseconds the dev server took to answer. */
  readonly serverStartupMs: number;
  /** Closes the connections, stops the server and deletes `dir` (unless `keepDir`). */
  close(): Promise<void>;
}

/** Options of {@link startBenchEnvironment}. */
export interface BenchEnvironmentOptions {
  /** Receives progress lines. */
  log: (line: string) => void;
  /**
   * Keep the temporary folder (database, content) after `close()` for a look afterwards.
   * @default false
   */
  keepDir?: boolean;
}

/**
 * Starts a fresh, headless Temporal dev server on a free port with its SQLite database in a new
 * temporary folder (with the WAL pragmas that {@link startDevServer} always passes), connects to
 * it and bundles Keel's workflows.
 */
export async function startBenchEnvironment(options: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  const { log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  let server: DevServer | undefined;
  let connection: NativeConnection | undefined;
  let clientConnection: Connection | undefined;
  try {
    server = await startDevServer({
      port: await findFreePort(),
      headless: true,
      dbFile: join(dir, 'temporal.db'),
      log: (line) => log(`dev server: ${line}`),
    });
    connection = await NativeConnection.connect({ address: server.address });
    clientConnection = await Connection.connect({ address: server.address });
    log('bundling Keel workflows');
    const keelBundle = await bundleKeelWorkflows();
    const { address, startupMs } = server;
    const started = { server, connection, clientConnection };
    return {
      address,
      dir,
      connection,
      client: new Client({ connection: clientConnection, namespace: server.namespace }),
      keelBundle,
      store: new FileContentStore(join(dir, 'content')),
      serverStartupMs: startupMs,
      close: () => closeAll(started, dir, options.keepDir ?? false, log),
    };
  } catch (error) {
    await closeAll({ server, connection, clientConnection }, dir, false, log);
    throw error;
  }
}

async function closeAll(
  parts: { server?: DevServer; connection?: NativeConnection; clientConnection?: Connection },
  dir: string,
  keepDir: boolean,
  log: (line: string) => void,
): Promise<void> {
  await parts.clientConnection?.close().catch(() => undefined);
  await parts.connection?.close().catch(() => undefined);
  await parts.server?.stop();
  if (keepDir) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
