import { Connection } from '@temporalio/client';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether something accepts TCP connections on `host:port` within `timeoutMs`.
 *
 * @default timeoutMs 1000
 */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A connection to the Temporal server at `address` if one answers `GetSystemInfo` within
 * `timeoutMs`, else `undefined`. The caller closes the connection.
 *
 * @default timeoutMs 5000
 */
export async function connectToTemporal(address: string, timeoutMs = 5_000): Promise<Connection | undefined> {
  // Not Connection.connect: when it fails, the channel it made is lost and keeps reconnecting.
  const connection = Connection.lazy({ address, connectTimeout: timeoutMs });
  try {
    await connection.ensureConnected();
    return connection;
  } catch {
    await connection.close();
    return undefined;
  }
}

/** What {@link waitForTemporal} watches besides the address. */
export interface ReadinessWatch {
  /** Host and port to dial. */
  host: string;
  port: number;
  /** `host:port` as a gRPC target. */
  address: string;
  /** Epoch milliseconds after which waiting stops. */
  deadline: number;
  /** Returns the exit code or signal once the server process has exited; polling stops then. */
  exited: () => number | string | undefined;
}

/** How waiting for a server ended. */
export type Readiness =
  | { kind: 'ready'; connection: Connection }
  | { kind: 'exited'; exit: number | string }
  | { kind: 'timeout' };

/**
 * Polls until a Temporal server answers on the watched address (returning a connection to it),
 * its process exits, or the deadline passes. A cheap TCP probe runs first, so that polling a server
 * that is still starting costs no gRPC reconnection back-off.
 */
export async function waitForTemporal(watch: ReadinessWatch): Promise<Readiness> {
  for (;;) {
    const exit = watch.exited();
    if (exit !== undefined) return { kind: 'exited', exit };
    const remaining = watch.deadline - Date.now();
    if (remaining <= 0) return { kind: 'timeout' };
    if (await isPortOpen(watch.host, watch.port, Math.min(remaining, 1_000))) {
      const connection = await connectToTemporal(watch.address, Math.max(100, Math.min(remaining, 5_000)));
      if (connection !== undefined) return { kind: 'ready', connection };
    }
    await sleep(100);
  }
}
