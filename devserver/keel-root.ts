import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder that holds Keel's `package.json` (the package named `keel`), found by walking up from
 * this module's folder. Keel keeps its local state there: `.temporal/` for the CLI, `.keel/` for the
 * dev server's database.
 *
 * @param from - the folder to start from
 * @default from `__dirname` of this module
 * @throws Error if no such folder is found (Keel's files were moved out of its package)
 */
export function findKeelRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && readPackageName(manifest) === 'keel') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json of package "keel" above ${from}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string') {
      return parsed.name;
    }
  } catch {
    // An unreadable or malformed package.json is not Keel's.
  }
  return undefined;
}
