/** One problem found in a scenario: the field it is in, and what is wrong. */
export interface ScenarioIssue {
  /** Path of the bad field, e.g. `scenarios[0].turns[1].toolCalls[0].name`. */
  field: string;
  message: string;
}

/**
 * A scenario (from JSON or code) is not valid. The message names the first bad field; `issues`
 * lists them all. Not retryable: fix the scenario.
 */
export class ScenarioValidationError extends Error {
  /** Path of the first bad field. */
  readonly field: string;
  /** Every problem found. */
  readonly issues: ReadonlyArray<ScenarioIssue>;

  constructor(issues: ReadonlyArray<ScenarioIssue>, context = 'Invalid scenario') {
    const first = issues[0] ?? { field: '(root)', message: 'invalid' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super(`${context}: ${first.field}: ${first.message}${more}`);
    this.name = 'ScenarioValidationError';
    this.field = first.field;
    this.issues = issues;
  }
}

/** The server's `url` was read before `start()` resolved or after `stop()`. */
export class ServerNotStartedError extends Error {
  constructor() {
    super('The scripted model server is not started: await server.start() first');
    this.name = 'ServerNotStartedError';
  }
}

/** `start()` was called on a server that is already started. */
export class ServerAlreadyStartedError extends Error {
  constructor(url: string) {
    super(`The scripted model server is already started at ${url}`);
    this.name = 'ServerAlreadyStartedError';
  }
}
