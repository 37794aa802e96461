/**
 * Errors raised while finding the Temporal CLI and starting a Temporal dev server.
 * Each class names one failure a person can act on; the message says what to do.
 */

/** Base class of every error raised by Keel's dev-server tooling. */
export abstract class DevServerToolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a path given for the Temporal CLI cannot be used. */
export type TemporalCliPathProblem = 'missing' | 'not-a-file' | 'not-executable';

/**
 * The environment variable that names the Temporal CLI (`TEMPORAL_CLI_PATH`) points at something
 * that is not an executable file. Keel does not fall back to other places in that case: the
 * variable is an explicit choice, so a wrong value is reported rather than silently ignored.
 */
export class TemporalCliPathError extends DevServerToolError {
  constructor(
    /** The environment variable that was read. */
    readonly variable: string,
    /** The path it holds. */
    readonly path: string,
    /** What is wrong with that path. */
    readonly problem: TemporalCliPathProblem,
  ) {
    const what =
      problem === 'missing' ? 'does not exist' : problem === 'not-a-file' ? 'is not a file' : 'is not executable';
    super(`${variable}=${path} ${what}; point ${variable} at a Temporal CLI executable or unset it`);
  }
}

/**
 * No Temporal CLI was found and none could be built or downloaded.
 * `attempts` lists every place looked at and every build or download tried, with its outcome.
 */
export class TemporalCliNotFoundError extends DevServerToolError {
  constructor(
    /** One line per place or method tried, in order, with its outcome. */
    readonly attempts: readonly string[],
  ) {
    super(
      [
        'The Temporal CLI (which contains the dev server) was not found. Tried:',
        ...attempts.map((a) => `  - ${a}`),
        'Do one of:',
        '  - set TEMPORAL_CLI_PATH to a `temporal` executable;',
        '  - install Go (https://go.dev/dl) and run again: Keel builds the CLI into .temporal/bin (about 4 minutes, once);',
        '  - install the Temporal CLI (https://docs.temporal.io/cli#install) so that `temporal` is on PATH.',
      ].join('\n'),
    );
  }
}

/** How a dev server failed to come up. */
export type DevServerStartFailure = 'exited' | 'timeout';

/**
 * A dev server process exited before it answered, or did not answer before the deadline.
 * `outputTail` holds the last lines it wrote, which usually say why (a port in use, a locked database).
 */
export class DevServerStartError extends DevServerToolError {
  constructor(
    /** Whether the process exited early or the deadline passed. */
    readonly failure: DevServerStartFailure,
    /** The address the server was expected to answer on. */
    readonly address: string,
    /** The last lines of the server's output. */
    readonly outputTail: readonly string[],
    /** Exit code, or signal name, when the process exited. */
    readonly exit?: number | string,
    options?: ErrorOptions,
  ) {
    const head =
      failure === 'exited'
        ? `The Temporal dev server for ${address} exited (${String(exit)}) before it answered`
        : `The Temporal dev server for ${address} did not answer before the deadline`;
    const tail = outputTail.length > 0 ? `; its last output:\n${outputTail.join('\n')}` : '; it wrote no output';
    super(head + tail, options);
  }
}

/** Something that is not a Temporal server listens on the address a dev server was asked to use. */
export class PortInUseError extends DevServerToolError {
  constructor(
    /** The `host:port` that is taken. */
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super(`${address} accepts connections but is not a Temporal server; choose another port`, options);
  }
}

/**
 * Another running dev server already uses the database file (its pid file names a live process)
 * but does not answer on the requested address. Two servers on one SQLite file would corrupt it.
 */
export class DatabaseInUseError extends DevServerToolError {
  constructor(
    /** The database file. */
    readonly dbFile: string,
    /** The process that holds it. */
    readonly pid: number,
  ) {
    super(
      `${dbFile} is in use by a running Temporal dev server (pid ${pid}) on another address; ` +
        `stop it (npm run dev-server stop, or kill ${pid}), connect to it, or use another dbFile`,
    );
  }
}

/** A search attribute Keel needs exists in the namespace with a different type. */
export class SearchAttributeTypeConflictError extends DevServerToolError {
  constructor(
    /** The namespace. */
    readonly namespace: string,
    /** The search attribute. */
    readonly attribute: string,
    /** The type Keel needs. */
    readonly expectedType: string,
    /** The type registered on the server. */
    readonly actualType: string,
  ) {
    super(
      `Search attribute ${attribute} in namespace ${namespace} has type ${actualType}, Keel needs ${expectedType}; ` +
        'remove it (temporal operator search-attribute remove) or use a fresh dev server database',
    );
  }
}
