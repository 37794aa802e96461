import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeelMetrics } from './keel-metrics';

/** An HTTP server that serves `GET /metrics` for Prometheus. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `metrics` on `host:port` (port 0: a free one). @default host 127.0.0.1 */
export async function serveMetrics(metrics: KeelMetrics, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    metrics.scrape().then(
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
    url: `http://${host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
