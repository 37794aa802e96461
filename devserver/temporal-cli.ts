import * as os from 'node:os';
import * as path from 'node:path';

import { buildTemporalCli, TEMPORAL_CLI_VERSION } from './cli-build';
import { downloadTemporalCli, findSdkDownload } from './cli-download';
import { TemporalCliNotFoundError, TemporalCliPathError } from './errors';
import { executableFileName, executableProblem, findOnPath } from './executable-lookup';
import { findKeelRoot } from './keel-root';
import { stderrLog, type ProgressLog } from './progress-log';

/** The environment variable that, when set, names the Temporal CLI to use and nothing else. */
export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';

/** Options of {@link findTemporalCli}. */
export interface FindTemporalCliOptions {
  /**
   * Keel's folder; the CLI is built into `<repoRoot>/.temporal/bin` and downloaded into
   * `<repoRoot>/.temporal/download`.
   * @default the folder holding Keel's package.json ({@link findKeelRoot})
   */
  repoRoot?: string;
  /**
   * Whether to build the CLI with Go (`go install …@v1.5.1`, about 4 minutes) when none is found
   * and `go` is on PATH.
   * @default true
   */
  build?: boolean;
  /**
   * Whether to download the CLI through `@temporalio/testing` (needs internet) as a last resort.
   * @default true
   */
  download?: boolean;
  /**
   * Receives progress lines (what was found, build and download progress).
   * @default writes to stderr ({@link stderrLog})
   */
  log?: ProgressLog;
  /**
   * The environment to read `TEMPORAL_CLI_PATH` and `PATH` from, and to run Go in.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds a `temporal` executable (the Temporal CLI, which contains the dev server), building or
 * downloading it if needed, and returns its path. Looks, in order, at:
 *
 * 1. `TEMPORAL_CLI_PATH`: if set, it must name an executable file (else {@link TemporalCliPathError});
 *    nothing else is tried;
 * 2. `temporal` on `PATH`;
 * 3. `<repoRoot>/.temporal/bin/temporal`, built by an earlier run;
 * 4. a CLI the TypeScript SDK downloaded before, in `<repoRoot>/.temporal/download` or `os.tmpdir()`
 *    (named `temporal-sdk-typescript-<version>`);
 * 5. if `build` and `go` is on `PATH`: `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
 *    with `GOBIN=<repoRoot>/.temporal/bin` (about 4 minutes, once);
 * 6. if `download`: the SDK's own download from temporal.download (needs internet).
 *
 * @throws {@link TemporalCliPathError} if `TEMPORAL_CLI_PATH` is set to something unusable
 * @throws {@link TemporalCliNotFoundError} listing every attempt if all of them fail
 */
export async function findTemporalCli(options: FindTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrLog;
  const repoRoot = options.repoRoot ?? findKeelRoot();
  const attempts: string[] = [];

  const explicit = env[TEMPORAL_CLI_PATH_ENV];
  if (explicit !== undefined && explicit !== '') {
    const problem = executableProblem(explicit);
    if (problem !== undefined) throw new TemporalCliPathError(TEMPORAL_CLI_PATH_ENV, explicit, problem);
    return explicit;
  }
  attempts.push(`${TEMPORAL_CLI_PATH_ENV}: not set`);

  const onPath = findOnPath('temporal', env['PATH']);
  if (onPath !== undefined) return onPath;
  attempts.push('`temporal` on PATH: not found');

  const binDir = path.join(repoRoot, '.temporal', 'bin');
  const built = path.join(binDir, executableFileName('temporal'));
  if (executableProblem(built) === undefined) return built;
  attempts.push(`${built}: not found`);

  const downloadDir = path.join(repoRoot, '.temporal', 'download');
  const downloadDirs = [downloadDir, os.tmpdir()];
  const downloaded = findSdkDownload(downloadDirs);
  if (downloaded !== undefined) return downloaded;
  attempts.push(`an SDK download in ${downloadDirs.join(' or ')}: not found`);

  if (options.build ?? true) {
    const goPath = findOnPath('go', env['PATH']);
    if (goPath === undefined) {
      attempts.push('building with Go: `go` is not on PATH');
    } else {
      try {
        return await buildTemporalCli({ goPath, binDir, version: TEMPORAL_CLI_VERSION, log, env });
      } catch (err) {
        log(`building the Temporal CLI failed: ${(err as Error).message}`);
        attempts.push(`building with Go: failed (${firstLine(err)} ${lastLine(err)})`);
      }
    }
  } else {
    attempts.push('building with Go: disabled (build: false)');
  }

  if (options.download ?? true) {
    try {
      return await downloadTemporalCli({ downloadDir, log });
    } catch (err) {
      attempts.push(`downloading through @temporalio/testing: failed (${firstLine(err)})`);
    }
  } else {
    attempts.push('downloading through @temporalio/testing: disabled (download: false)');
  }

  throw new TemporalCliNotFoundError(attempts);
}

/** The first line of an error's message, its middle elided if long (the cause is usually at the end). */
/** The last non-empty line of an error's message (Go's own complaint, after the command line). */
function lastLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? lines.at(-1)!.slice(0, 300) : '';
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n')[0] ?? message;
  return line.length > 300 ? `${line.slice(0, 120)} … ${line.slice(-160)}` : line;
}
