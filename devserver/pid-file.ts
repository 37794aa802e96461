import * as fs from 'node:fs';

import { isProcessAlive } from './process-termination';

/**
 * The pid file of the dev server that uses a database file: `<dbFile>.pid`, holding the process id
 * as decimal text, as `kill $(cat file.pid)` expects. It marks the database as in use.
 */
export function pidFilePath(dbFile: string): string {
  return `${dbFile}.pid`;
}

/** The log file of a detached dev server that uses a database file: `<dbFile>.log`. */
export function logFilePath(dbFile: string): string {
  return `${dbFile}.log`;
}

/** Writes `pid` to the pid file of `dbFile`. */
export function writePidFile(dbFile: string, pid: number): void {
  fs.writeFileSync(pidFilePath(dbFile), `${pid}\n`);
}

/** The process id in the pid file of `dbFile`, or `undefined` if there is no readable one. */
export function readPidFile(dbFile: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFilePath(dbFile), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Removes the pid file of `dbFile` if it still names `pid` (another server may have replaced it). */
export function removePidFile(dbFile: string, pid: number): void {
  if (readPidFile(dbFile) !== pid) return;
  try {
    fs.unlinkSync(pidFilePath(dbFile));
  } catch {
    // Already gone.
  }
}

/**
 * The process id of a running dev server that holds `dbFile`, from its pid file, or `undefined`
 * if there is no pid file or it is stale (the process is gone, or on Linux the process with that
 * id is not a `temporal server start-dev`, the id having been reused).
 */
export function runningServerPid(dbFile: string): number | undefined {
  const pid = readPidFile(dbFile);
  if (pid === undefined || !isProcessAlive(pid)) return undefined;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return pid; // No procfs (macOS): trust the pid file.
  }
  return cmdline.includes('start-dev') ? pid : undefined;
}
