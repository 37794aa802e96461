/**
 * The contents a worker keeps in memory, keyed by (tenant, reference): least recently used go first,
 * bounded both in entries and in characters (a few large tool outputs must not hold the heap).
 * Content is immutable (addressed by its hash), so an entry never goes stale.
 */
export class ContentCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  /**
   * @param maxEntries contents kept. @default 2000
   * @param maxChars characters kept in total; a content longer than this is not kept. @default 32 Mi (33,554,432)
   */
  constructor(
    private readonly maxEntries = 2000,
    private readonly maxChars = 32 * 1024 * 1024,
  ) {}

  /** The text of a tenant's reference, if kept (and marks it recently used). */
  get(tenant: string, ref: string): string | undefined {
    const key = keyOf(tenant, ref);
    const text = this.entries.get(key);
    if (text === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, text);
    return text;
  }

  has(tenant: string, ref: string): boolean {
    return this.entries.has(keyOf(tenant, ref));
  }

  set(tenant: string, ref: string, text: string): void {
    if (text.length > this.maxChars || this.maxEntries <= 0) return;
    const key = keyOf(tenant, ref);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.chars -= old.length;
    }
    this.entries.set(key, text);
    this.chars += text.length;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const [oldest, value] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.chars -= value.length;
    }
  }

  /** Contents kept now. */
  get size(): number {
    return this.entries.size;
  }
}

/** A reference has no spaces: "<ref> <tenant>" is unambiguous. */
function keyOf(tenant: string, ref: string): string {
  return `${ref} ${tenant}`;
}
