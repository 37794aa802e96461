import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContentNotFoundError, type ContentStore } from './content-store';

const REF = /^sha256:([0-9a-f]{64})$/;

/** Where the file content store lives unless `KEEL_STORE_DIR` or an option says otherwise. */
export const DEFAULT_STORE_DIR = resolve(__dirname, '..', '.keel', 'content');

/** The file content store that workers and the CLI use by default (`KEEL_STORE_DIR`, else {@link DEFAULT_STORE_DIR}). */
export function defaultFileContentStore(): FileContentStore {
  return new FileContentStore(process.env.KEEL_STORE_DIR ?? DEFAULT_STORE_DIR);
}

/**
 * A content store in a directory (one file per content, written atomically). Every worker of a task
 * queue must see the same directory: the default for one host; use a shared volume across hosts.
 */
export class FileContentStore implements ContentStore {
  private readonly cache = new Map<string, string>();
  private readonly ready: Promise<unknown>;

  /**
   * @param dir the directory; created if missing.
   * @param cacheEntries contents kept in memory (least recently used go first). @default 2000
   */
  constructor(
    readonly dir: string,
    private readonly cacheEntries = 2000,
  ) {
    this.ready = mkdir(dir, { recursive: true });
  }

  async put(text: string): Promise<string> {
    const hex = createHash('sha256').update(text).digest('hex');
    const ref = `sha256:${hex}`;
    if (this.cache.has(ref)) return ref;
    await this.ready;
    const path = this.pathOf(hex);
    await mkdir(join(this.dir, hex.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
    this.remember(ref, text);
    return ref;
  }

  async get(ref: string): Promise<string> {
    const cached = this.cache.get(ref);
    if (cached !== undefined) {
      this.cache.delete(ref);
      this.cache.set(ref, cached);
      return cached;
    }
    const match = REF.exec(ref);
    if (!match) throw new ContentNotFoundError(ref, this.dir);
    let text: string;
    try {
      text = await readFile(this.pathOf(match[1]!), 'utf8');
    } catch {
      throw new ContentNotFoundError(ref, this.dir);
    }
    this.remember(ref, text);
    return text;
  }

  private pathOf(hex: string): string {
    return join(this.dir, hex.slice(0, 2), hex);
  }

  private remember(ref: string, text: string): void {
    this.cache.set(ref, text);
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}
