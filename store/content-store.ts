/**
 * Where large session content lives (transcripts, tool outputs), so that workflow history carries
 * only references. Content is addressed by its SHA-256: writing the same bytes twice gives the same
 * reference, which makes retried and replayed activities harmless.
 */
export interface ContentStore {
  /** Stores text and returns its reference (`sha256:<hex>`). */
  put(text: string): Promise<string>;
  /** The text of a reference; throws {@link ContentNotFoundError} when the store does not hold it. */
  get(ref: string): Promise<string>;
}

/** A reference that the store does not hold (a worker pointed at another store?). */
export class ContentNotFoundError extends Error {
  override readonly name = 'ContentNotFoundError';
  constructor(readonly ref: string, where: string) {
    super(`content ${ref} is not in the content store at ${where}; every worker of a task queue must share one store`);
  }
}
