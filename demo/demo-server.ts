import { startDevServer, type DevServer } from '../devserver';

/**
 * The demos' Temporal server: the one at `TEMPORAL_ADDRESS` when it is set (a dev server is started
 * there if none answers and the address is on this machine), else a dev server on localhost:7233.
 */
export async function demoServer(log: (line: string) => void = () => undefined): Promise<DevServer> {
  const configured = process.env.TEMPORAL_ADDRESS;
  if (!configured) return startDevServer({ detached: true, log });
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(configured.trim());
  if (!match) throw new Error(`TEMPORAL_ADDRESS must be HOST:PORT, got "${configured}"`);
  const host = match[1] ?? match[2]!;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!local) throw new Error(`the demo starts its own dev server on this machine; TEMPORAL_ADDRESS=${configured} is elsewhere (run a worker with "npm run worker" against it instead)`);
  return startDevServer({ detached: true, ip: host === 'localhost' ? '127.0.0.1' : host, port: Number(match[3]), log });
}
