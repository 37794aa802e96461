import type { OperatorService } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { setTimeout as sleep } from 'node:timers/promises';

import { SearchAttributeTypeConflictError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';

/** Anything with raw access to Temporal's operator service: a client `Connection` or a worker `NativeConnection`. */
export interface OperatorConnection {
  readonly operatorService: OperatorService;
}

/** Options of {@link ensureSearchAttributes}. */
export interface EnsureSearchAttributesOptions {
  /**
   * How long to keep retrying while the server does not know the namespace yet (a namespace
   * registered a moment ago reaches the operator service after the server's namespace cache refreshes).
   * @default 15 000
   */
  namespaceWaitMs?: number;
}

const KEYWORD = indexedValueType(SearchAttributeType.KEYWORD);

/**
 * Makes sure that every search attribute in `names` is registered as Keyword in `namespace`, adding
 * the missing ones with the operator service, and returns the names it added (empty if all existed).
 * Safe to call concurrently and repeatedly, against any server that exposes the operator service
 * (a dev server, a self-hosted cluster; Temporal Cloud registers search attributes through its own API).
 *
 * A dev server started again on an existing database ignores new `--search-attribute` flags, so
 * Keel calls this after every start.
 *
 * @param connection - a client `Connection` or a worker `NativeConnection`
 * @param namespace - the namespace to register them in
 * @param names - search attribute names, all of Temporal type Keyword (Keel's are
 *   `KEEL_SEARCH_ATTRIBUTE_NAMES` in `core/search-attributes.ts`)
 * @throws {@link SearchAttributeTypeConflictError} if one exists with another type
 */
export async function ensureSearchAttributes(
  connection: OperatorConnection,
  namespace: string,
  names: readonly string[],
  options: EnsureSearchAttributesOptions = {},
): Promise<string[]> {
  const deadline = Date.now() + (options.namespaceWaitMs ?? 15_000);
  for (;;) {
    try {
      return await registerMissing(connection.operatorService, namespace, names);
    } catch (err) {
      if (!hasGrpcStatus(err, GrpcStatus.NOT_FOUND) || Date.now() >= deadline) throw err;
      await sleep(250);
    }
  }
}

async function registerMissing(
  service: OperatorService,
  namespace: string,
  names: readonly string[],
): Promise<string[]> {
  const missing = await missingAttributes(service, namespace, names);
  if (missing.length === 0) return [];
  try {
    await service.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    // Another caller added some of them between our list and our add: check again.
    if (!hasGrpcStatus(err, GrpcStatus.ALREADY_EXISTS)) throw err;
    const stillMissing = await missingAttributes(service, namespace, missing);
    if (stillMissing.length > 0) return registerMissing(service, namespace, stillMissing);
    return [];
  }
  return missing;
}

async function missingAttributes(
  service: OperatorService,
  namespace: string,
  names: readonly string[],
): Promise<string[]> {
  const listed = await service.listSearchAttributes({ namespace });
  const registered = { ...listed.systemAttributes, ...listed.customAttributes };
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const type = registered[name];
    if (type === undefined || type === null) missing.push(name);
    else if (type !== KEYWORD) {
      throw new SearchAttributeTypeConflictError(namespace, name, SearchAttributeType.KEYWORD, typeName(type));
    }
  }
  return missing;
}

function indexedValueType(type: SearchAttributeType): number {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new Error(`No indexed value type for ${type}`);
  return encoded;
}

function typeName(encoded: number): string {
  for (const type of Object.values(SearchAttributeType)) {
    if (indexedValueType(type) === encoded) return type;
  }
  return `type ${encoded}`;
}
