import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random identifier shaped like the Messages API's: a prefix and 24 base62 characters. */
function randomId(prefix: string): string {
  const bytes = randomBytes(24);
  let id = prefix;
  for (const byte of bytes) id += BASE62[byte % BASE62.length];
  return id;
}

/** A new message id, e.g. `msg_01XFDUDYJgAACzvnptvVoYEL`. */
export function newMessageId(): string {
  return randomId('msg_');
}

/** A new request id for the `request-id` header and error bodies, e.g. `req_011CSHoEeqs5C35K2UUqR7Fy`. */
export function newRequestId(): string {
  return randomId('req_');
}
