import { WorkflowNotFoundError, type Client, type HistoryAndWorkflowId } from '@temporalio/client';
import { Worker, type ReplayWorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleKeelWorkflows } from '../workers/workflow-bundle';

/** How one run of a session replayed against the workflow code. */
export interface RunReplay {
  runId: string;
  /** The run replayed to the end of its history without a mismatch. */
  ok: boolean;
  /**
   * Why it did not: `nondeterminism` when the code issues other commands than the history recorded
   * (the message names the event and command that differ), `failure` for any other replay failure
   * (a workflow task that throws, an unknown workflow type).
   */
  error?: { type: 'nondeterminism' | 'failure'; message: string };
}

/** The outcome of {@link replaySession}: every run of the session, first run first. */
export interface ReplayReport {
  sessionId: string;
  runs: RunReplay[];
  /** Every run replayed. */
  ok: boolean;
}

/** The workflow code to replay against; at most one of the two. */
export interface ReplaySessionOptions {
  /** A prebuilt bundle (e.g. the one a deploy ships). @default bundles Keel's workflows ({@link bundleKeelWorkflows}) */
  workflowBundle?: WorkflowBundleOption;
  /** A workflows module to bundle and replay against instead of Keel's own. */
  workflowsPath?: string;
}

/** A session id that names no workflow in the client's namespace. */
export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
  constructor(
    readonly sessionId: string,
    readonly namespace: string,
  ) {
    super(`no session "${sessionId}" in namespace "${namespace}"`);
  }
}

/**
 * Replays every run of a session (continue-as-new makes several) against workflow code, by default
 * the current Keel workflows: the check that a deploy will not break the sessions running in
 * production. Histories are fetched from Temporal, following each run's `continuedExecutionRunId`
 * back to the first run, and replayed by one replay worker. Throws {@link SessionNotFoundError}
 * when the session does not exist; nondeterminism and other replay failures are reported per run.
 */
export async function replaySession(client: Client, sessionId: string, options: ReplaySessionOptions = {}): Promise<ReplayReport> {
  const histories = await fetchSessionHistories(client, sessionId);
  const replayOptions = await replayWorkerOptions(options);
  const runs: RunReplay[] = [];
  let index = 0;
  for await (const result of Worker.runReplayHistories(replayOptions, histories)) {
    // One result per history, in the order given.
    const runId = histories[index++]!.runId;
    if (!result.error) runs.push({ runId, ok: true });
    else {
      const type = result.error instanceof DeterminismViolationError ? 'nondeterminism' : 'failure';
      runs.push({ runId, ok: false, error: { type, message: result.error.message } });
    }
  }
  return { sessionId, runs, ok: runs.length > 0 && runs.every((run) => run.ok) };
}

/** The histories of every run of a session, first run first. */
async function fetchSessionHistories(client: Client, sessionId: string): Promise<Array<HistoryAndWorkflowId & { runId: string }>> {
  let runId: string | undefined;
  try {
    runId = (await client.workflow.getHandle(sessionId).describe()).runId;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new SessionNotFoundError(sessionId, client.options.namespace);
    throw error;
  }
  const latestFirst: Array<HistoryAndWorkflowId & { runId: string }> = [];
  while (runId) {
    const history = await client.workflow.getHandle(sessionId, runId).fetchHistory();
    latestFirst.push({ workflowId: sessionId, runId, history });
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return latestFirst.reverse();
}

async function replayWorkerOptions(options: ReplaySessionOptions): Promise<ReplayWorkerOptions> {
  if (options.workflowBundle && options.workflowsPath) throw new TypeError('replaySession takes a workflowBundle or a workflowsPath, not both');
  // The workflow reports metrics through this sink; a replay calls no sink, but the worker must know it.
  const sinks = { keelMetrics: { record: { fn: () => undefined } } };
  if (options.workflowBundle) return { workflowBundle: options.workflowBundle, sinks };
  if (options.workflowsPath) return { workflowsPath: options.workflowsPath, sinks };
  return { workflowBundle: await bundleKeelWorkflows(), sinks };
}

/** The report for a person: one line per run, then the verdict. */
export function formatReplayReport(report: ReplayReport, against: string): string[] {
  const lines = [`replaying session ${report.sessionId} (${report.runs.length} run${report.runs.length === 1 ? '' : 's'}) against ${against}`];
  report.runs.forEach((run, i) => {
    const label = `  run ${i + 1} ${run.runId}`;
    if (run.ok) lines.push(`${label}  ok`);
    else if (run.error?.type === 'nondeterminism') lines.push(`${label}  NONDETERMINISM: ${nondeterminismDetails(run.error.message)}`);
    else lines.push(`${label}  REPLAY FAILED: ${run.error?.message ?? 'unknown error'}`);
  });
  const failed = report.runs.filter((run) => !run.ok);
  if (report.ok) lines.push(`ok: every run of ${report.sessionId} replays on this code`);
  else if (failed.some((run) => run.error?.type === 'nondeterminism'))
    lines.push(`NONDETERMINISM: ${failed.length} of ${report.runs.length} runs of ${report.sessionId} do not replay; this code would break the session`);
  else lines.push(`FAILED: ${failed.length} of ${report.runs.length} runs of ${report.sessionId} could not be replayed`);
  return lines;
}

/**
 * The mismatch as Temporal's core states it (which history event met which command), e.g.
 * `[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 5, …)`,
 * without the SDK's preamble and the failure's debug dump around it.
 */
function nondeterminismDetails(message: string): string {
  const core = /message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (core) return core.replace(/\\(.)/g, '$1');
  const at = message.indexOf('Details: ');
  return at >= 0 ? message.slice(at + 'Details: '.length) : message;
}
