/**
 * Counts how many times each scenario has seen each request, so that a retried request (same
 * scenario, same messages) gets the next attempt number. Keys are independent of each other, so
 * concurrent conversations do not disturb one another's counts.
 */
export class AttemptCounter {
  private readonly seen = new Map<string, number>();

  /** The attempt number the next request with this key would get, without counting it. */
  peek(key: string): number {
    return this.seen.get(key) ?? 0;
  }

  /** The attempt number of a request with this key (0 for the first), counting it. */
  take(key: string): number {
    const attempt = this.peek(key);
    this.seen.set(key, attempt + 1);
    return attempt;
  }
}
