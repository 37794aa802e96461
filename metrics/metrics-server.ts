import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeelMetrics } from './keel-metrics';

/** An HTTP server that serves `GET /metrics` for Prometheus (and `GET /healthz` for health checks). */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /**
   * The Temporal SDK's own metrics endpoint (see `installSdkMetrics`): each scrape reads it and
   * appends its series after Keel's, with `keel_sdk_metrics_up` saying whether it answered, so one
   * scrape target has both. @default none (Keel's metrics only)
   */
  sdkMetricsUrl?: string;
  /** How long a scrape waits for the SDK's endpoint. @default 2000 */
  sdkTimeoutMs?: number;
  /**
   * Whether the process is ready, for `GET /healthz` (the container health check): 200 `ok` while it
   * returns true, 503 `not ready` otherwise (e.g. before the worker runs, or while it drains).
   * @default always ready (`/healthz` then says the server answers)
   */
  ready?: () => boolean;
}

/** Serves `metrics` on `host:port` (port 0: a free one). @default host 127.0.0.1 */
export async function serveMetrics(metrics: KeelMetrics, port: number, host = '127.0.0.1', options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      const ready = options.ready ? options.ready() : true;
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok\n' : 'not ready\n');
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics or GET /healthz\n');
      return;
    }
    Promise.all([metrics.scrape(), options.sdkMetricsUrl ? sdkMetrics(options.sdkMetricsUrl, options.sdkTimeoutMs ?? 2000) : ''])
      .then(([keel, sdk]) => (sdk ? `${keel.endsWith('\n') ? keel : `${keel}\n`}${sdk}` : keel))
      .then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The SDK's series in the text format, preceded by `keel_sdk_metrics_up` (0 and nothing else when it did not answer). */
async function sdkMetrics(url: string, timeoutMs: number): Promise<string> {
  const up = (value: 0 | 1) =>
    "# HELP keel_sdk_metrics_up Whether the Temporal SDK's metrics endpoint answered this scrape (its series follow).\n" +
    `# TYPE keel_sdk_metrics_up gauge\nkeel_sdk_metrics_up ${value}\n`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return up(0);
    const text = await response.text();
    return `${up(1)}${text.endsWith('\n') || !text ? text : `${text}\n`}`;
  } catch {
    return up(0);
  }
}
