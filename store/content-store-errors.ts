/**
 * How a content store fails besides a missing reference (`ContentNotFoundError`, in content-store.ts):
 * the store cannot be reached or refuses the worker's credentials (retryable: the activity tries
 * again once the store is back), a text over the store's size bound, and stored bytes that do not
 * hash to their reference (neither helped by retrying).
 */

/**
 * The content store cannot be used right now: its server is unreachable, times out, answers with a
 * server error, or refuses the configured credentials. Retryable: a session's activity waits and
 * retries under its retry policy until an operator fixes the store or its credentials.
 */
export class ContentStoreUnavailableError extends Error {
  override readonly name = 'ContentStoreUnavailableError';
  readonly nonRetryable = false;
  /**
   * @param where the store, named for an operator (e.g. `s3://bucket/prefix at http://host:9000`).
   * @param reason what went wrong, including the server's error code when it gave one.
   */
  constructor(
    readonly where: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`content store ${where} is unavailable: ${reason}`, options);
  }
}

/** A text larger than the store's bound; names both sizes. Not retryable. */
export class ContentTooLargeError extends Error {
  override readonly name = 'ContentTooLargeError';
  readonly nonRetryable = true;
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
    where: string,
  ) {
    super(`content of ${bytes} bytes is over the bound of ${maxBytes} bytes of the content store ${where}`);
  }
}

/** Stored bytes whose SHA-256 is not their reference (altered outside Keel). Not retryable. */
export class ContentCorruptedError extends Error {
  override readonly name = 'ContentCorruptedError';
  readonly nonRetryable = true;
  constructor(
    readonly ref: string,
    where: string,
  ) {
    super(`content ${ref} in the content store ${where} does not hash to its reference; it was altered outside Keel`);
  }
}
