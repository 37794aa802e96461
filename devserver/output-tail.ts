/**
 * The last lines a process wrote, kept so that a failure can say what the process said last.
 * Feed it chunks as they arrive; it splits them into lines and keeps at most `capacity` lines.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  /**
   * @param capacity - how many lines to keep
   * @default capacity 40
   */
  constructor(private readonly capacity = 40) {}

  /** Adds a chunk of output (any split across lines). */
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.keep(line);
    if (this.partial.length > 8192) {
      this.keep(this.partial);
      this.partial = '';
    }
  }

  /** The kept lines, oldest first, including an unfinished last line. */
  snapshot(): string[] {
    return this.partial.length > 0 ? [...this.lines, this.partial] : [...this.lines];
  }

  private keep(line: string): void {
    if (line.trim().length === 0) return;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }
}
