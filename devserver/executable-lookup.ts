import * as fs from 'node:fs';
import * as path from 'node:path';

import type { TemporalCliPathProblem } from './errors';

/**
 * What is wrong with `file` as an executable, or `undefined` if it is an executable regular file.
 * On Windows the executable bit does not exist; any file counts.
 */
export function executableProblem(file: string): TemporalCliPathProblem | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'missing';
  }
  if (!stat.isFile()) return 'not-a-file';
  if (process.platform === 'win32') return undefined;
  // access(X_OK) alone is not enough: for root it succeeds on a file with no execute bit at all.
  if ((stat.mode & 0o111) === 0) return 'not-executable';
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return undefined;
  } catch {
    return 'not-executable';
  }
}

/** The file name of an executable called `name` on this platform (`temporal`, or `temporal.exe` on Windows). */
export function executableFileName(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

/**
 * The first executable named `name` in the folders of a `PATH`-style list, or `undefined`.
 *
 * @param name - the command, without extension
 * @param searchPath - the list of folders, separated by the platform's delimiter
 */
export function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  if (searchPath === undefined || searchPath === '') return undefined;
  const file = executableFileName(name);
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, file);
    if (executableProblem(candidate) === undefined) return candidate;
  }
  return undefined;
}
