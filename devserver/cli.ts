/**
 * `npm run dev-server -- <command> [options]` (or `npx tsx devserver/cli.ts …`): Keel's local Temporal.
 * The CLI is found as {@link findTemporalCli} does (TEMPORAL_CLI_PATH, PATH, .temporal/bin, a build with Go).
 *
 *   start    start a dev server in the background (or reuse the one that answers), print its address and UI
 *   stop     stop the server that holds the database (by its pid file)
 *   status   say whether a server answers and whether the database's server runs
 *   cli      find (or build) the Temporal CLI and print its path
 *
 * Exit codes: 0 success (status: a server answers), 1 failure, 2 usage error, 3 status: nothing answers.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { clientHost, formatAddress } from './address';
import { startDevServer } from './dev-server';
import { DevServerToolError } from './errors';
import { findKeelRoot } from './keel-root';
import { findTemporalCli } from './temporal-cli';
import { logFilePath, pidFilePath, readPidFile, removePidFile, runningServerPid } from './pid-file';
import { terminateProcess } from './process-termination';
import { connectToTemporal, isPortOpen } from './server-readiness';

const USAGE = `usage: npx tsx devserver/cli.ts <start|stop|status|cli> [options]
       npm run dev-server -- <start|stop|status|cli> [options]

  start     start a Temporal dev server in the background, or reuse the one answering on the port
  stop      stop the dev server that uses the database file (found through <db-file>.pid)
  status    report whether a server answers on the port and whether the database's server runs
  cli       find the Temporal CLI, building it with Go if needed, and print its path

options:
  --port N          gRPC port (default 7233)
  --ui-port N       Web UI port (default port + 1000)
  --ip IP           interface to bind (default 127.0.0.1)
  --db-file FILE    SQLite database (default <keel>/.keel/temporal.db)
  --namespace NS    namespace for Keel's search attributes (default "default")
  --headless        no Web UI
  --foreground      start: keep the server attached to this command; Ctrl-C stops it
  --start-timeout S start: seconds the server has to answer after launch (default 60)
  -h, --help        this text`;

interface CliOptions {
  port: number;
  uiPort: number | undefined;
  ip: string;
  dbFile: string;
  namespace: string;
  headless: boolean;
  foreground: boolean;
  startTimeoutMs: number;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'ui-port': { type: 'string' },
        ip: { type: 'string' },
        'db-file': { type: 'string' },
        namespace: { type: 'string' },
        headless: { type: 'boolean' },
        foreground: { type: 'boolean' },
        'start-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help === true ? 0 : 2;
  }
  const options: CliOptions = {
    port: parsePort(values.port, 7233),
    uiPort: values['ui-port'] === undefined ? undefined : parsePort(values['ui-port'], 0),
    ip: values.ip ?? '127.0.0.1',
    dbFile: path.resolve(values['db-file'] ?? path.join(findKeelRoot(), '.keel', 'temporal.db')),
    namespace: values.namespace ?? 'default',
    headless: values.headless ?? false,
    foreground: values.foreground ?? false,
    startTimeoutMs: parseSeconds(values['start-timeout'], 60) * 1000,
  };
  switch (command) {
    case 'start':
      return start(options);
    case 'stop':
      return stop(options);
    case 'status':
      return status(options);
    case 'cli':
      process.stdout.write(`${await findTemporalCli()}\n`);
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}

async function start(options: CliOptions): Promise<number> {
  const server = await startDevServer({
    port: options.port,
    uiPort: options.uiPort,
    ip: options.ip,
    dbFile: options.dbFile,
    namespace: options.namespace,
    headless: options.headless,
    detached: !options.foreground,
    startTimeoutMs: options.startTimeoutMs,
  });
  const lines = [
    server.reused
      ? `A Temporal server already answers at ${server.address}; reusing it.`
      : `Temporal dev server started at ${server.address} in ${(server.startupMs / 1000).toFixed(1)} s.`,
    `  address    ${server.address}   (export TEMPORAL_ADDRESS=${server.address})`,
    `  namespace  ${server.namespace}`,
    `  UI         ${server.uiUrl ?? '(none)'}`,
  ];
  if (!server.reused) {
    lines.push(`  pid        ${server.pid ?? '?'}`, `  database   ${options.dbFile}`);
    if (!options.foreground) lines.push(`  log        ${logFilePath(options.dbFile)}`, 'Stop it with: npm run dev-server stop');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!options.foreground || server.reused) return 0;

  process.stdout.write('Running in the foreground; Ctrl-C stops it.\n');
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void server.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

async function stop(options: CliOptions): Promise<number> {
  const pid = runningServerPid(options.dbFile);
  if (pid === undefined) {
    const stale = readPidFile(options.dbFile);
    if (stale !== undefined) removePidFile(options.dbFile, stale);
    process.stdout.write(`No dev server runs on ${options.dbFile} (no live process in ${pidFilePath(options.dbFile)}).\n`);
    return 0;
  }
  const outcome = await terminateProcess(pid);
  removePidFile(options.dbFile, pid);
  process.stdout.write(`Dev server pid ${pid} ${outcome === 'killed' ? 'killed (SIGKILL)' : 'stopped'}.\n`);
  return 0;
}

async function status(options: CliOptions): Promise<number> {
  const host = clientHost(options.ip);
  const address = formatAddress(host, options.port);
  let answers = false;
  if (await isPortOpen(host, options.port)) {
    const connection = await connectToTemporal(address);
    if (connection !== undefined) {
      answers = true;
      await connection.close();
    }
  }
  const pid = runningServerPid(options.dbFile);
  const uiPort = options.uiPort ?? options.port + 1000;
  const ui = answers && (await isPortOpen(host, uiPort)) ? `http://${formatAddress(host, uiPort)}` : undefined;
  process.stdout.write(
    [
      `${address}: ${answers ? 'a Temporal server answers' : 'no Temporal server answers'}`,
      `  UI         ${ui ?? '(none)'}`,
      `  database   ${options.dbFile}: ${pid !== undefined ? `in use by pid ${pid}` : 'no running server'}`,
    ].join('\n') + '\n',
  );
  return answers ? 0 : 3;
}

function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`not a port: ${text}`);
  return port;
}

function parseSeconds(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new UsageError(`--start-timeout: not a whole number of seconds from 1 to 3600: ${text}`);
  return seconds;
}

/** A command-line argument that cannot be used. */
class UsageError extends Error {
  override name = 'UsageError';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (err instanceof DevServerToolError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
