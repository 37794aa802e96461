import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process with this id exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a termination ended. */
export type TerminationOutcome = 'not-running' | 'exited' | 'killed';

/**
 * Asks a process to stop with SIGTERM, waits up to `graceMs` for it to go, then sends SIGKILL.
 * Works for any process id, not only children of this process.
 *
 * @param pid - the process
 * @param graceMs - how long SIGTERM is given before SIGKILL
 * @default graceMs 10 000
 * @returns `'not-running'` if there was no such process, `'exited'` if it stopped on SIGTERM,
 *   `'killed'` if SIGKILL was needed
 */
export async function terminateProcess(pid: number, graceMs = 10_000): Promise<TerminationOutcome> {
  if (!signal(pid, 'SIGTERM')) return 'not-running';
  if (await waitForExit(pid, graceMs)) return 'exited';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
  return 'killed';
}

/** Waits until `pid` is gone or `timeoutMs` passes; true if it is gone. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
