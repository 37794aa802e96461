import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli, UsageError, type CliValues, type WorkerSideCommands } from '../client/cli';
import type { EvaluationCliValues } from '../client/evaluation-commands';
import { runEvalRun } from './eval-run-command';
import { formatReplayReport, replaySession, SessionNotFoundError } from './session-replay';

/** The commands of `keel` that run the worker side: replay and the evaluation gate. */
export const workerSideCommands: WorkerSideCommands = {
  async replay(rest, values, client, out) {
    const sessionId = rest[0];
    if (!sessionId) throw new UsageError('"keel replay" needs a session id');
    const workflows = values.workflows as string | undefined;
    const workflowsPath = workflows === undefined ? undefined : resolve(workflows);
    if (workflowsPath !== undefined && !existsSync(workflowsPath)) throw new UsageError(`--workflows: no such file "${workflows}"`);
    const report = await replaySession(client.temporal, sessionId, workflowsPath ? { workflowsPath } : {}).catch((error: unknown) => {
      throw error instanceof SessionNotFoundError ? new UsageError(error.message) : error;
    });
    if (values.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatReplayReport(report, workflowsPath ?? 'the current Keel workflows')) out(line);
    return report.ok ? 0 : 1;
  },
  evalRun: (rest, values: CliValues, out) => runEvalRun(rest, values as EvaluationCliValues, out),
};

/** The whole `keel` command line: the client's commands and the worker side's. */
export function runKeelCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  return runCli(argv, out, workerSideCommands);
}
