import type { ErrorResponse } from './messages-api';

/** The error `type` the Messages API uses for each HTTP status it answers with. */
const ERROR_TYPE_BY_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [529, 'overloaded_error'],
]);

/**
 * The error `type` the Messages API uses for an HTTP status: the documented one, else
 * `invalid_request_error` for other 4xx and `api_error` for other 5xx.
 */
export function errorTypeForStatus(status: number): string {
  return ERROR_TYPE_BY_STATUS.get(status) ?? (status < 500 ? 'invalid_request_error' : 'api_error');
}

/**
 * An error answer of the scripted model server: thrown while a request is handled, and turned
 * into an HTTP response with the Messages API's error body.
 */
export class ApiErrorAnswer extends Error {
  /** The error `type` of the body, e.g. `rate_limit_error`. */
  readonly type: string;
  /** Seconds the client should wait before retrying, sent as the `retry-after` header. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * @param status - the HTTP status of the answer
   * @param message - the `error.message` of the body
   * @param options - `type` (default: by status, see {@link errorTypeForStatus}) and
   *   `retryAfterSeconds` (sent as the `retry-after` header)
   */
  constructor(
    readonly status: number,
    message: string,
    options: { type?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiErrorAnswer';
    this.type = options.type ?? errorTypeForStatus(status);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The JSON body of this answer. */
  body(requestId: string): ErrorResponse {
    return { type: 'error', error: { type: this.type, message: this.message }, request_id: requestId };
  }
}
