import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContentCache } from './content-cache';
import { checkContentTenant, ContentNotFoundError, contentRefHex, type ContentStore } from './content-store';

/** Where the file content store lives unless `KEEL_STORE_DIR` or an option says otherwise. */
export const DEFAULT_STORE_DIR = resolve(__dirname, '..', '.keel', 'content');

/**
 * The file content store that workers and the CLI use by default: in `KEEL_STORE_DIR`, else
 * {@link DEFAULT_STORE_DIR}; `KEEL_STORE_SYNC_WRITE_MAX_CHARS` sets `syncWriteMaxChars` (0 on a
 * network filesystem). Throws {@link FileContentStoreConfigError} naming a bad value.
 */
export function defaultFileContentStore(env: NodeJS.ProcessEnv = process.env): FileContentStore {
  const sync = env.KEEL_STORE_SYNC_WRITE_MAX_CHARS?.trim();
  const syncWriteMaxChars = sync ? Number(sync) : undefined;
  if (syncWriteMaxChars !== undefined && (!Number.isSafeInteger(syncWriteMaxChars) || syncWriteMaxChars < 0)) {
    throw new FileContentStoreConfigError(`KEEL_STORE_SYNC_WRITE_MAX_CHARS must be a whole number of characters (0 turns synchronous writes off), got ${JSON.stringify(sync!.slice(0, 40))}`);
  }
  return new FileContentStore(env.KEEL_STORE_DIR || DEFAULT_STORE_DIR, syncWriteMaxChars === undefined ? {} : { syncWriteMaxChars });
}

/** A file content store setting that cannot work; names the variable. Not retryable. */
export class FileContentStoreConfigError extends Error {
  override readonly name = 'FileContentStoreConfigError';
  readonly nonRetryable = true;
}

/** Folders remembered as made before the memory is cleared (256 prefixes of a few tenants). */
const MADE_FOLDERS_KEPT = 4096;

/** Contents up to this many characters are written synchronously unless an option says otherwise. */
export const DEFAULT_SYNC_WRITE_MAX_CHARS = 16 * 1024;

/** Options of a {@link FileContentStore}. */
export interface FileContentStoreOptions {
  /** Contents kept in memory, per (tenant, reference); least recently used go first (also bounded to 32 Mi characters). @default 2000 */
  cacheEntries?: number;
  /**
   * Whether a reference this tenant has not stored is also looked up in the unscoped layout that
   * Keel used before content was scoped by tenant (`<dir>/<hex[0..2]>/<hex>`), so sessions stored
   * before the change keep working. Content in that layout is readable by any tenant that holds its
   * reference (as it always was); nothing new is written there. Turn it off once no session from
   * before the change is still running or replayed. @default true
   */
  legacyUnscopedReads?: boolean;
  /**
   * Contents up to this many characters are written with synchronous calls (still to a temporary
   * file renamed into place): on a local disk that takes tens of microseconds, and an asynchronous
   * write's round trips through the thread pool cost several times the write itself on every step
   * of a session. Set 0 when the directory is on a network filesystem, where a write may block the
   * worker's event loop for long. @default 16,384 ({@link DEFAULT_SYNC_WRITE_MAX_CHARS})
   */
  syncWriteMaxChars?: number;
}

/**
 * A content store in a directory (one file per content, written atomically). Each tenant's content
 * is in its own subdirectory, named by the SHA-256 of the tenant (`<dir>/tenants/<hash>/<hex[0..2]>/<hex>`),
 * so a tenant reads only what it stored itself. Every worker of a task queue must see the same
 * directory: the default for one host; use PostgreSQL (or a shared volume) across hosts.
 */
export class FileContentStore implements ContentStore {
  private readonly cache: ContentCache;
  private readonly ready: Promise<unknown>;
  private readonly legacyUnscopedReads: boolean;
  private readonly syncWriteMaxChars: number;
  /** Folders this store has made (a `mkdir` per write was the largest cost of a step on a fast model). */
  private readonly folders = new Set<string>();

  /**
   * @param dir the directory; created if missing.
   * @param options a number is taken as `cacheEntries` (the earlier signature).
   */
  constructor(
    readonly dir: string,
    options: FileContentStoreOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { cacheEntries: options } : options;
    this.cache = new ContentCache(o.cacheEntries ?? 2000);
    this.legacyUnscopedReads = o.legacyUnscopedReads ?? true;
    this.syncWriteMaxChars = o.syncWriteMaxChars ?? DEFAULT_SYNC_WRITE_MAX_CHARS;
    this.ready = mkdir(dir, { recursive: true });
  }

  async put(text: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const hex = createHash('sha256').update(text).digest('hex');
    const ref = `sha256:${hex}`;
    if (this.cache.has(tenant, ref)) return ref;
    await this.ready;
    const path = this.pathOf(tenant, hex);
    const folder = join(path, '..');
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    if (text.length <= this.syncWriteMaxChars) this.writeSync(folder, tmp, path, text);
    else await this.writeAsync(folder, tmp, path, text);
    this.cache.set(tenant, ref, text);
    return ref;
  }

  /** Writes `text` to `tmp` and renames it to `path`, making `folder` first if this store has not. */
  private writeSync(folder: string, tmp: string, path: string, text: string): void {
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.remember(folder);
    }
    try {
      writeFileSync(tmp, text, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(folder, { recursive: true }); // the folder went away since this store made it
      writeFileSync(tmp, text, 'utf8');
    }
    renameSync(tmp, path);
  }

  private async writeAsync(folder: string, tmp: string, path: string, text: string): Promise<void> {
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.remember(folder);
    }
    await writeFile(tmp, text, 'utf8').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(folder, { recursive: true }); // the folder went away since this store made it
      await writeFile(tmp, text, 'utf8');
    });
    await rename(tmp, path);
  }

  private remember(folder: string): void {
    if (this.folders.size >= MADE_FOLDERS_KEPT) this.folders.clear();
    this.folders.add(folder);
  }

  async get(ref: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const hex = contentRefHex(ref);
    const cached = this.cache.get(tenant, ref);
    if (cached !== undefined) return cached;
    const text = (await readText(this.pathOf(tenant, hex))) ?? (this.legacyUnscopedReads ? await readText(join(this.dir, hex.slice(0, 2), hex)) : undefined);
    if (text === undefined) throw new ContentNotFoundError(ref, this.dir);
    this.cache.set(tenant, ref, text);
    return text;
  }

  private pathOf(tenant: string, hex: string): string {
    return join(this.dir, 'tenants', createHash('sha256').update(tenant).digest('hex'), hex.slice(0, 2), hex);
  }

}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
