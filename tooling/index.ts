/** What operators run beside the client that needs the worker side: replay, the evaluation gate, the whole keel command line. */
export { formatReplayReport, replaySession, SessionNotFoundError, type ReplayReport, type ReplaySessionOptions, type RunReplay } from './session-replay';
export { runEvalRun } from './eval-run-command';
export { runKeelCli, workerSideCommands } from './cli';
