/**
 * Command line of the scripted model server: serves scenarios from a JSON file until SIGINT or
 * SIGTERM.
 *
 *   npx tsx scripted-model/cli.ts --scenarios scenarios.json [--port 4010] [--host 127.0.0.1] [--latency 0]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadScenarios } from './scenario-file';
import { ScriptedModelServer } from './server';

const USAGE = `Usage: npx tsx scripted-model/cli.ts --scenarios <file.json> [--port <port>] [--host <host>] [--latency <ms>]

Serves the Anthropic Messages API (POST /v1/messages) from scripted scenarios.
  --scenarios, -s  JSON file: a list of scenarios, or { "scenarios": [...] }   (required)
  --port, -p       port to listen on; 0 picks a free one                        (default 4010)
  --host           interface to listen on                                       (default 127.0.0.1)
  --latency        delay in ms before each answer whose step sets none           (default 0)
Point a client at the printed URL, e.g. ANTHROPIC_BASE_URL=<url>.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string', short: 's' },
      port: { type: 'string', short: 'p', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      latency: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.scenarios === undefined) throw new UsageError('--scenarios <file.json> is required');
  const port = parseNumber('--port', values.port);
  const defaultLatencyMs = parseNumber('--latency', values.latency);
  const scenarios = loadScenarios(readFileSync(values.scenarios, 'utf8'));

  const server = new ScriptedModelServer({ scenarios, host: values.host, port, defaultLatencyMs });
  await server.start();
  console.log(`Scripted model serving ${scenarios.length} scenario(s) from ${values.scenarios} at ${server.url}`);

  const stop = (signal: string): void => {
    console.log(`${signal}: stopping after ${server.requests.length} request(s)`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** The command line is wrong: print the problem and the usage. */
class UsageError extends Error {
  override name = 'UsageError';
}

function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} must be a non-negative integer, got "${text}"`);
  return value;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
