import * as net from 'node:net';

/**
 * The host a client should dial to reach a server bound to `ip`: a wildcard address
 * (`0.0.0.0`, `::`) is reached through the loopback interface of the same family.
 */
export function clientHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

/** `host:port`, with an IPv6 host in brackets (`[::1]:7233`), as gRPC targets and URLs expect. */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
