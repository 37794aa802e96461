/**
 * Keel's local Temporal: find (or build, or download) the Temporal CLI, start a dev server that keeps
 * its data and has Keel's search attributes, or reuse one that is already running.
 *
 * ```ts
 * const server = await startDevServer();           // 127.0.0.1:7233, UI on :8233, .keel/temporal.db
 * // … connect clients and workers to server.address …
 * await server.stop();                              // no-op if it was reused
 * ```
 */
export { findTemporalCli, TEMPORAL_CLI_PATH_ENV, type FindTemporalCliOptions } from './temporal-cli';
export { TEMPORAL_CLI_VERSION } from './cli-build';
export { startDevServer, type DevServer, type DevServerOptions, type DevServerLogLevel } from './dev-server';
export {
  ensureSearchAttributes,
  type EnsureSearchAttributesOptions,
  type OperatorConnection,
} from './search-attribute-registration';
export { ensureNamespace, type EnsureNamespaceOptions, type WorkflowServiceConnection } from './namespace-registration';
export { findFreePort, findFreePortPair } from './free-port';
export { findKeelRoot } from './keel-root';
export { pidFilePath, logFilePath, runningServerPid } from './pid-file';
export { terminateProcess, type TerminationOutcome } from './process-termination';
export { stderrLog, silentLog, type ProgressLog } from './progress-log';
export {
  DevServerToolError,
  TemporalCliPathError,
  TemporalCliNotFoundError,
  DevServerStartError,
  PortInUseError,
  DatabaseInUseError,
  SearchAttributeTypeConflictError,
  type TemporalCliPathProblem,
  type DevServerStartFailure,
} from './errors';
