/*
 * Ties child processes to this process's lifetime: when this process exits (normally, by
 * `process.exit`, or by SIGINT, SIGTERM or SIGHUP), each tied child gets SIGTERM.
 *
 * Signals: a handler is installed only while some child is tied. If it is the only handler of that
 * signal, it stops the children, removes itself and raises the signal again, so that the process
 * ends as it would have without Keel. If the application has its own handler (a Temporal worker
 * shutting down gracefully, say), Keel leaves the decision to it and stops the children on exit.
 * A SIGKILL of this process cannot be caught: the children then outlive it (their pid file says so).
 */
import type { ChildProcess } from 'node:child_process';

/** The children to stop when this process ends; one set of handlers serves them all. */
const tied = new Set<ChildProcess>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function stopAll(): void {
  for (const child of tied) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

function onExit(): void {
  stopAll();
}

function onSignal(signal: NodeJS.Signals): void {
  stopAll();
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Makes `child` receive SIGTERM when this process exits; returns a function that unties it
 * (call it once the child has been stopped). Untied automatically when the child exits.
 */
export function tieToThisProcess(child: ChildProcess): () => void {
  if (tied.size === 0) install();
  tied.add(child);
  const untie = (): void => {
    if (!tied.delete(child)) return;
    if (tied.size === 0) uninstall();
  };
  child.once('exit', untie);
  return untie;
}
