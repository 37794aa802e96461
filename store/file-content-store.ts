import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContentCache } from './content-cache';
import { checkContentTenant, ContentNotFoundError, contentRefHex, type ContentStore } from './content-store';

/** Where the file content store lives unless `KEEL_STORE_DIR` or an option says otherwise. */
export const DEFAULT_STORE_DIR = resolve(__dirname, '..', '.keel', 'content');

/** The file content store that workers and the CLI use by default (`KEEL_STORE_DIR`, else {@link DEFAULT_STORE_DIR}). */
export function defaultFileContentStore(): FileContentStore {
  return new FileContentStore(process.env.KEEL_STORE_DIR ?? DEFAULT_STORE_DIR);
}

/** Folders remembered as made before the memory is cleared (256 prefixes of a few tenants). */
const MADE_FOLDERS_KEPT = 4096;

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
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      if (this.folders.size >= MADE_FOLDERS_KEPT) this.folders.clear();
      this.folders.add(folder);
    }
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, text, 'utf8').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(folder, { recursive: true }); // the folder went away since this store made it
      await writeFile(tmp, text, 'utf8');
    });
    await rename(tmp, path);
    this.cache.set(tenant, ref, text);
    return ref;
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
