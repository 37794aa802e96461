import * as net from 'node:net';

/**
 * A TCP port that is free on `host` right now, chosen by the operating system.
 * Another process may take it before it is used; good enough for tests on one machine.
 *
 * @param host - the interface to check
 * @default host `'127.0.0.1'`
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`Could not read the port of a listening socket on ${host}`));
      });
    });
  });
}

/**
 * Two free ports `p` and `p + offset` (for a dev server and its UI at `port + 1000`).
 *
 * @param offset - distance between the two ports
 * @param host - the interface to check
 * @default offset 1000, host `'127.0.0.1'`
 */
export async function findFreePortPair(offset = 1000, host = '127.0.0.1'): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await findFreePort(host);
    if (port + offset > 65535) continue;
    if (await isPortFree(port + offset, host)) return [port, port + offset];
  }
  throw new Error(`No free pair of ports ${offset} apart on ${host} after 50 attempts`);
}

function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
