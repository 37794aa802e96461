/** A command line that cannot be run as given (the `keel` CLI prints its message and exits 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
