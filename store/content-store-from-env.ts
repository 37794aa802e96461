import type { ContentStore } from './content-store';
import { FileContentStore, DEFAULT_STORE_DIR } from './file-content-store';
import { PostgresContentStore } from './postgres-content-store';
import { S3ContentStore } from './s3-content-store';
import type { SqlDatabase } from './sql-database';
import type { ContentStoreUnavailableError } from './content-store-errors';

/** The kinds of content store `KEEL_CONTENT_STORE` names. */
export const CONTENT_STORE_KINDS = ['file', 's3', 'postgres'] as const;
export type ContentStoreKind = (typeof CONTENT_STORE_KINDS)[number];

/** A content store configuration that cannot work; names the variable. Not retryable. */
export class ContentStoreConfigError extends Error {
  override readonly name = 'ContentStoreConfigError';
  readonly nonRetryable = true;
}

/** Which store the environment asks for (see {@link contentStoreFromEnv}). */
export function contentStoreKindFromEnv(env: NodeJS.ProcessEnv, database?: SqlDatabase): ContentStoreKind {
  const named = env.KEEL_CONTENT_STORE?.trim();
  if (named) {
    if (!(CONTENT_STORE_KINDS as readonly string[]).includes(named)) {
      throw new ContentStoreConfigError(`KEEL_CONTENT_STORE=${JSON.stringify(named.slice(0, 40))} is not one of ${CONTENT_STORE_KINDS.join(', ')}`);
    }
    return named as ContentStoreKind;
  }
  if (env.KEEL_STORE_DIR) return 'file';
  return database ? 'postgres' : 'file';
}

/**
 * The content store that the environment configures, for workers and the command line alike (they
 * must share one store):
 * - `KEEL_CONTENT_STORE=s3`: an {@link S3ContentStore} on `KEEL_S3_BUCKET` (required), with
 *   `KEEL_S3_PREFIX` (default none), `KEEL_S3_ENDPOINT` for an S3-compatible server (then path-style
 *   addressing unless `KEEL_S3_FORCE_PATH_STYLE=false`), `AWS_REGION`, and credentials from the
 *   standard AWS chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, SSO, web identity,
 *   container or instance role);
 * - `KEEL_CONTENT_STORE=file`, or `KEEL_STORE_DIR` set: the file store in `KEEL_STORE_DIR` (default `.keel/content`);
 * - `KEEL_CONTENT_STORE=postgres`, or a database given: the PostgreSQL store in that database;
 * - otherwise the file store in `.keel/content`.
 *
 * Nothing is contacted: {@link openContentStoreFromEnv} also prepares the store.
 */
export function contentStoreFromEnv(env: NodeJS.ProcessEnv, database?: SqlDatabase): ContentStore {
  const kind = contentStoreKindFromEnv(env, database);
  if (kind === 's3') {
    const bucket = env.KEEL_S3_BUCKET?.trim();
    if (!bucket) throw new ContentStoreConfigError('KEEL_CONTENT_STORE=s3 needs KEEL_S3_BUCKET (the bucket, which must exist)');
    const pathStyle = env.KEEL_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
    if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') {
      throw new ContentStoreConfigError(`KEEL_S3_FORCE_PATH_STYLE must be true or false, got ${JSON.stringify(pathStyle.slice(0, 20))}`);
    }
    return new S3ContentStore({
      bucket,
      ...(env.KEEL_S3_PREFIX ? { prefix: env.KEEL_S3_PREFIX } : {}),
      ...(env.KEEL_S3_ENDPOINT ? { endpoint: env.KEEL_S3_ENDPOINT } : {}),
      ...(pathStyle ? { forcePathStyle: pathStyle === 'true' } : {}),
      ...(env.AWS_REGION || env.AWS_DEFAULT_REGION ? { region: (env.AWS_REGION || env.AWS_DEFAULT_REGION)! } : {}),
    });
  }
  if (kind === 'postgres') {
    if (!database) throw new ContentStoreConfigError('KEEL_CONTENT_STORE=postgres needs a database (KEEL_DATABASE_URL)');
    return new PostgresContentStore(database);
  }
  return new FileContentStore(env.KEEL_STORE_DIR || DEFAULT_STORE_DIR);
}

/**
 * {@link contentStoreFromEnv}, made ready for a worker: the PostgreSQL store's table is created if
 * missing, and the S3 store's bucket is checked (HeadBucket), so that a wrong bucket, endpoint or
 * credentials stop the worker at start with a {@link ContentStoreUnavailableError} instead of failing
 * every session's activities.
 */
export async function openContentStoreFromEnv(env: NodeJS.ProcessEnv, database?: SqlDatabase): Promise<ContentStore> {
  const store = contentStoreFromEnv(env, database);
  if (store instanceof PostgresContentStore) await store.migrate();
  if (store instanceof S3ContentStore) await store.check();
  return store;
}
