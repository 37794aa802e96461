import { createHash } from 'node:crypto';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** The AWS SDK, loaded when the first S3 store is made (not by everything that imports `store`). */
function awsS3(): typeof import('@aws-sdk/client-s3') {
  return require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
}
import { ContentCache } from './content-cache';
import { checkContentTenant, ContentNotFoundError, contentRefHex, type ContentStore } from './content-store';
import { ContentCorruptedError, ContentStoreUnavailableError, ContentTooLargeError } from './content-store-errors';

/** Options of an {@link S3ContentStore}; every default is spelled out in {@link S3_CONTENT_STORE_DEFAULTS}. */
export interface S3ContentStoreOptions {
  /** The bucket; it must exist (Keel never creates buckets). */
  bucket: string;
  /** Prepended to every object key, e.g. `keel/content/`. At most 512 characters. @default '' */
  prefix?: string;
  /** @default `AWS_REGION`, else `AWS_DEFAULT_REGION`, else 'us-east-1' */
  region?: string;
  /** An S3-compatible server's URL (`http://127.0.0.1:9000`); unset for AWS S3 itself. */
  endpoint?: string;
  /** Address buckets in the path (`endpoint/bucket/key`) rather than the host name. @default true when `endpoint` is set, else false */
  forcePathStyle?: boolean;
  /** Credentials or a provider; unset takes the standard AWS chain (environment, profile, SSO, web identity, container, instance). */
  credentials?: S3ClientConfig['credentials'];
  /** Write with `If-None-Match: *` (S3 conditional writes): an object already there is never rewritten. When the server does not implement it, the store falls back to plain writes, which are harmless for content-addressed objects. @default true */
  conditionalWrites?: boolean;
  /** Largest text stored or read, in UTF-8 bytes. @default 33554432 (32 MiB) */
  maxContentBytes?: number;
  /** Texts kept in memory per (tenant, reference); least recently used go first. @default 2000 */
  cacheEntries?: number;
  /** Characters kept in memory in all. @default 33554432 (32 Mi) */
  cacheChars?: number;
  /** Milliseconds to wait for a connection. @default 5000 */
  connectionTimeoutMs?: number;
  /** Milliseconds of silence on a request before it is abandoned. @default 30000 */
  requestTimeoutMs?: number;
  /** Attempts of one request by the AWS SDK (its own retries with backoff) before the store reports the server unavailable. @default 3 */
  maxAttempts?: number;
}

/** The defaults of {@link S3ContentStoreOptions}, in one place. */
export const S3_CONTENT_STORE_DEFAULTS = {
  prefix: '',
  region: 'us-east-1',
  conditionalWrites: true,
  maxContentBytes: 32 * 1024 * 1024,
  cacheEntries: 2000,
  cacheChars: 32 * 1024 * 1024,
  connectionTimeoutMs: 5000,
  requestTimeoutMs: 30_000,
  maxAttempts: 3,
} as const;

/** The longest key prefix accepted: S3 keys are at most 1024 bytes, and a tenant's hash and a reference take 129. */
export const MAX_S3_PREFIX_CHARS = 512;

/** Options that cannot work (no bucket, a prefix too long, a bound not a positive integer); names the option. */
export class InvalidS3ContentStoreOptionsError extends Error {
  override readonly name = 'InvalidS3ContentStoreOptionsError';
  readonly nonRetryable = true;
}

/** S3 error codes that say the credentials themselves were refused, not that one object is missing. */
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'RequestTimeTooSkewed',
  'AuthorizationHeaderMalformed',
  'CredentialsProviderError',
]);

/** Errors of the connection itself (Node's socket errors, the SDK's timeouts). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);

/** What the AWS SDK attaches to an error it throws. */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * A content store in an S3 bucket (AWS S3 or an S3-compatible server): one object per content at
 * `<prefix><SHA-256 of the tenant, hex>/<SHA-256 of the text, hex>`, so tenants never share a key and
 * a tenant reads only what it stored itself. Every worker and client of a task queue must use the
 * same bucket and prefix. Texts read back are checked against their reference.
 *
 * A missing object, and one the credentials may not read (403 AccessDenied), read as
 * {@link ContentNotFoundError}; an unreachable server, a server error or refused credentials are a
 * retryable {@link ContentStoreUnavailableError} naming the bucket and endpoint.
 */
export class S3ContentStore implements ContentStore {
  /** The store as an operator names it, in errors: `s3://bucket/prefix at endpoint`. */
  readonly where: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxContentBytes: number;
  private conditionalWrites: boolean;
  private readonly cache: ContentCache;

  constructor(options: S3ContentStoreOptions) {
    const d = S3_CONTENT_STORE_DEFAULTS;
    if (typeof options.bucket !== 'string' || options.bucket.length === 0 || options.bucket.length > 255) {
      throw new InvalidS3ContentStoreOptionsError('S3 content store: bucket must be a bucket name of 1 to 255 characters');
    }
    const prefix = options.prefix ?? d.prefix;
    if (prefix.length > MAX_S3_PREFIX_CHARS) {
      throw new InvalidS3ContentStoreOptionsError(`S3 content store: prefix is ${prefix.length} characters, over ${MAX_S3_PREFIX_CHARS}`);
    }
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.maxContentBytes = positive('maxContentBytes', options.maxContentBytes ?? d.maxContentBytes);
    this.cache = new ContentCache(positive('cacheEntries', options.cacheEntries ?? d.cacheEntries), positive('cacheChars', options.cacheChars ?? d.cacheChars));
    this.conditionalWrites = options.conditionalWrites ?? d.conditionalWrites;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? d.region;
    this.where = `s3://${this.bucket}/${this.prefix} at ${options.endpoint ?? `AWS S3 (${region})`}`;
    const { S3Client: Client } = awsS3();
    this.client = new Client({
      region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: positive('maxAttempts', options.maxAttempts ?? d.maxAttempts),
      // The store checks every text read against its reference itself (ContentCorruptedError).
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: positive('connectionTimeoutMs', options.connectionTimeoutMs ?? d.connectionTimeoutMs),
        requestTimeout: positive('requestTimeoutMs', options.requestTimeoutMs ?? d.requestTimeoutMs),
      },
    });
  }

  async put(text: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > this.maxContentBytes) throw new ContentTooLargeError(bytes.length, this.maxContentBytes, this.where);
    const digest = createHash('sha256').update(bytes).digest();
    const hex = digest.toString('hex');
    const ref = `sha256:${hex}`;
    const key = this.keyOf(tenant, hex);
    if (this.cache.has(tenant, ref)) return ref;
    const put = (conditional: boolean) =>
      this.client.send(
        new (awsS3().PutObjectCommand)({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: 'text/plain; charset=utf-8',
          ChecksumSHA256: digest.toString('base64'),
          ...(conditional ? { IfNoneMatch: '*' } : {}),
        }),
      );
    try {
      await put(this.conditionalWrites);
    } catch (error) {
      const e = error as SdkError;
      if (e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict') {
        // Already stored (or being stored) by another writer: the same bytes under the same key.
      } else if (this.conditionalWrites && (e.name === 'NotImplemented' || e.$metadata?.httpStatusCode === 501)) {
        this.conditionalWrites = false;
        try {
          await put(false);
        } catch (retried) {
          throw this.unavailable(retried);
        }
      } else {
        throw this.unavailable(error);
      }
    }
    this.cache.set(tenant, ref, text);
    return ref;
  }

  async get(ref: string, tenant: string): Promise<string> {
    checkContentTenant(tenant);
    const hex = contentRefHex(ref);
    const key = this.keyOf(tenant, hex);
    const cached = this.cache.get(tenant, ref);
    if (cached !== undefined) return cached;
    let bytes: Uint8Array;
    try {
      const object = await this.client.send(new (awsS3().GetObjectCommand)({ Bucket: this.bucket, Key: key }));
      if (object.ContentLength !== undefined && object.ContentLength > this.maxContentBytes) {
        object.Body?.transformToWebStream().cancel().catch(() => undefined);
        throw new ContentTooLargeError(object.ContentLength, this.maxContentBytes, this.where);
      }
      if (!object.Body) throw new ContentNotFoundError(ref, this.where);
      bytes = await object.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof ContentTooLargeError || error instanceof ContentNotFoundError) throw error;
      if (this.isMissing(error)) throw new ContentNotFoundError(ref, this.where);
      throw this.unavailable(error);
    }
    if (bytes.length > this.maxContentBytes) throw new ContentTooLargeError(bytes.length, this.maxContentBytes, this.where);
    if (createHash('sha256').update(bytes).digest('hex') !== hex) throw new ContentCorruptedError(ref, this.where);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    this.cache.set(tenant, ref, text);
    return text;
  }

  /**
   * Checks that the bucket is reachable with these credentials (S3 HeadBucket); throws
   * {@link ContentStoreUnavailableError} otherwise. A worker calls it once at start to fail fast.
   */
  async check(): Promise<void> {
    try {
      await this.client.send(new (awsS3().HeadBucketCommand)({ Bucket: this.bucket }));
    } catch (error) {
      throw this.unavailable(error, { headBucket: true });
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  private keyOf(tenant: string, hex: string): string {
    return `${this.prefix}${createHash('sha256').update(tenant, 'utf8').digest('hex')}/${hex}`;
  }

  /** A missing object, or one these credentials may not read: both read as missing, as another tenant's content does. */
  private isMissing(error: unknown): boolean {
    const e = error as SdkError;
    if (e.name === 'NoSuchBucket') return false;
    if (e.name === 'NoSuchKey' || e.name === 'NotFound') return true;
    const status = e.$metadata?.httpStatusCode;
    return status === 404 || (status === 403 && !CREDENTIAL_CODES.has(e.name ?? ''));
  }

  private unavailable(error: unknown, { headBucket = false } = {}): ContentStoreUnavailableError {
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const detail = (e.message ?? String(error)).slice(0, 300);
    // A socket error can reach here wrapped by the SDK with only its text left ("… connect ECONNREFUSED …").
    const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? [...NETWORK_CODES].find((c) => detail.includes(c)) ?? 'error');
    let reason: string;
    if (CREDENTIAL_CODES.has(code)) reason = `the credentials were refused (${code}: ${detail}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or the profile`;
    else if (code === 'NoSuchBucket' || (headBucket && status === 404)) reason = `the bucket ${this.bucket} does not exist (${detail})`;
    else if (status === 403) reason = `access denied (${code}: ${detail}); the credentials need s3:GetObject, s3:PutObject (and s3:ListBucket for HeadBucket) on the prefix`;
    else if (status !== undefined) reason = `the server answered HTTP ${status} (${code}: ${detail})`;
    else if (NETWORK_CODES.has(code)) reason = `the server could not be reached (${code}: ${detail})`;
    else reason = `the request failed without an answer from the server (${code}: ${detail})`;
    return new ContentStoreUnavailableError(this.where, reason, { cause: error });
  }
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidS3ContentStoreOptionsError(`S3 content store: ${option} must be a positive integer, got ${value}`);
  return value;
}
